// Sluice dashboard: reads the HTTP API of the same origin and renders it. Every value that comes
// from the API (ids, types, errors) is inserted with textContent or as an SVG text node, never as
// HTML, because job data is attacker-controlled. The API key stays in sessionStorage.
'use strict';

const REFRESH_MS = 5_000;
const DEAD_JOBS_LIMIT = 20;
const KEY_STORAGE = 'sluice.apiKey';
const STATES = ['queued', 'delayed', 'active', 'completed', 'dead', 'cancelled'];
const SVG_NS = 'http://www.w3.org/2000/svg';

const view = {
  queues: [],
  selectedQueue: null,
  shownJobId: null,
  refreshing: false,
  refreshAgain: false,
};

const byId = (id) => document.getElementById(id);

/** Resolves an API path against the page, so the dashboard works under any base path. */
function apiUrl(path) {
  return new URL(path, document.baseURI).toString();
}

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Calls the API with the key as a bearer token; returns the parsed body or throws ApiError. */
async function callApi(method, path) {
  const headers = { accept: 'application/json' };
  const key = apiKey();
  if (key) {
    headers.authorization = `Bearer ${key}`;
  }
  const response = await fetch(apiUrl(path), { method, headers, cache: 'no-store' });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401) {
      throw new ApiError(401, 'the API rejected the key (401): enter a valid API key above');
    }
    if (response.status === 403) {
      throw new ApiError(403, 'the API key is not allowed to do this (403)');
    }
    throw new ApiError(response.status, body?.error?.message ?? `${method} ${path} failed with HTTP ${response.status}`);
  }
  return body;
}

function setStatus(text, isError = false) {
  const status = byId('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

/** Creates an element with text content and attributes; never parses HTML. */
function element(tag, { text, className, attributes } = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) {
    node.textContent = String(text);
  }
  if (className) {
    node.className = className;
  }
  for (const [name, value] of Object.entries(attributes ?? {})) {
    node.setAttribute(name, value);
  }
  return node;
}

function svgElement(tag, attributes, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, String(value));
  }
  if (text !== undefined) {
    node.textContent = String(text);
  }
  return node;
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

function minuteLabel(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Draws completed (green) and dead (red) jobs per minute as stacked bars. */
function throughputChart(throughput) {
  const width = 360;
  const height = 90;
  const top = 12;
  const bottom = 14;
  const buckets = throughput.buckets;
  const peak = Math.max(1, ...buckets.map((bucket) => bucket.completed + bucket.dead));
  const slot = width / buckets.length;
  const scale = (height - top - bottom) / peak;
  const svg = svgElement('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img' });
  svg.append(svgElement('title', {}, 'jobs completed and dead per minute, last hour'));

  buckets.forEach((bucket, index) => {
    const x = index * slot + 0.5;
    const barWidth = Math.max(1, slot - 1);
    const completedHeight = bucket.completed * scale;
    const deadHeight = bucket.dead * scale;
    const group = svgElement('g', {});
    group.append(svgElement('title', {}, `${minuteLabel(bucket.start)}: ${bucket.completed} completed, ${bucket.dead} dead`));
    if (bucket.completed > 0) {
      group.append(svgElement('rect', { class: 'completed', x, y: height - bottom - completedHeight, width: barWidth, height: completedHeight }));
    }
    if (bucket.dead > 0) {
      group.append(svgElement('rect', { class: 'dead', x, y: height - bottom - completedHeight - deadHeight, width: barWidth, height: deadHeight }));
    }
    svg.append(group);
  });

  svg.append(svgElement('line', { class: 'baseline', x1: 0, x2: width, y1: height - bottom, y2: height - bottom }));
  svg.append(svgElement('text', { class: 'axis', x: 0, y: height - 2 }, buckets.length ? minuteLabel(buckets[0].start) : ''));
  svg.append(svgElement('text', { class: 'axis', x: width, y: height - 2, 'text-anchor': 'end' }, 'now'));
  svg.append(svgElement('text', { class: 'axis', x: 0, y: 9 }, `${peak}/min`));
  return svg;
}

function queueCard(stats) {
  const card = element('article', { className: 'queue', attributes: { 'data-queue': stats.queue } });
  card.append(element('h3', { text: stats.queue }));

  const counts = element('div', { className: 'counts' });
  for (const state of STATES) {
    const count = element('div', { className: 'count', attributes: { 'data-state': state } });
    count.append(element('span', { className: 'value', text: stats.counts[state] ?? 0 }), element('span', { className: 'label', text: state }));
    counts.append(count);
  }
  card.append(counts);

  card.append(throughputChart(stats.throughput));
  const completed = stats.throughput.buckets.reduce((sum, bucket) => sum + bucket.completed, 0);
  const dead = stats.throughput.buckets.reduce((sum, bucket) => sum + bucket.dead, 0);
  card.append(element('div', { className: 'chart-summary', text: `last hour: ${completed} completed, ${dead} dead` }));
  return card;
}

async function renderQueues() {
  const cards = await Promise.all(view.queues.map(async (queue) => queueCard(await callApi('GET', `queues/${encodeURIComponent(queue.name)}/stats`))));
  byId('queues').replaceChildren(...cards);
}

function jobLink(id) {
  const button = element('button', { className: 'link', text: id, attributes: { type: 'button', 'data-action': 'show' } });
  button.addEventListener('click', () => showJob(id));
  return button;
}

function actionButton(label, action, id) {
  const button = element('button', { text: label, attributes: { type: 'button', 'data-action': action } });
  button.addEventListener('click', () => runAction(action, id));
  return button;
}

async function renderDeadJobs() {
  const tbody = byId('dead-jobs').querySelector('tbody');
  if (!view.selectedQueue) {
    tbody.replaceChildren();
    return;
  }
  const page = await callApi('GET', `queues/${encodeURIComponent(view.selectedQueue)}/jobs?state=dead&limit=${DEAD_JOBS_LIMIT}`);
  const rows = page.jobs.map((job) => {
    const row = element('tr', { attributes: { 'data-job-id': job.id } });
    const idCell = element('td', { className: 'id' });
    idCell.append(jobLink(job.id));
    const actions = element('td');
    actions.append(actionButton('Retry', 'retry', job.id));
    row.append(
      idCell,
      element('td', { text: job.type }),
      element('td', { text: `${job.attempts} of ${job.maxAttempts}` }),
      element('td', { text: formatTime(job.finishedAt) }),
      element('td', { className: 'error', text: job.lastError ? `${job.lastError.name}: ${job.lastError.message}` : '' }),
      actions,
    );
    return row;
  });
  tbody.replaceChildren(...rows);
  byId('dead-empty').hidden = rows.length > 0;
  byId('dead-more').hidden = page.next === null;
}

function field(list, name, value, className) {
  list.append(element('dt', { text: name }), element('dd', { text: value, ...(className ? { className } : {}) }));
}

async function renderJob() {
  const detail = byId('job-detail');
  if (!view.shownJobId) {
    detail.hidden = true;
    return;
  }
  const job = await callApi('GET', `jobs/${encodeURIComponent(view.shownJobId)}`);
  const fields = byId('job-fields');
  fields.replaceChildren();
  field(fields, 'id', job.id, 'id');
  field(fields, 'queue', job.queue);
  field(fields, 'type', job.type);
  field(fields, 'state', job.state);
  field(fields, 'attempts', `${job.attempts} of ${job.maxAttempts}`);
  field(fields, 'priority', job.priority);
  field(fields, 'created', formatTime(job.createdAt));
  field(fields, 'run at', formatTime(job.runAt));
  field(fields, 'started', formatTime(job.startedAt));
  field(fields, 'finished', formatTime(job.finishedAt));
  field(fields, 'last error', job.lastError ? `${job.lastError.name}: ${job.lastError.message} (attempt ${job.lastError.attempt})` : '—');
  const result = element('dd');
  result.append(element('pre', { text: job.result === null ? '—' : JSON.stringify(job.result, null, 2) }));
  fields.append(element('dt', { text: 'result' }), result);

  byId('job-retry').hidden = job.state !== 'dead';
  byId('job-cancel').hidden = !(job.state === 'queued' || job.state === 'delayed');

  // Newest change first.
  const rows = [...(job.history ?? [])].reverse().map((entry) => {
    const row = element('tr');
    row.append(
      element('td', { text: formatTime(entry.at) }),
      element('td', { text: entry.state }),
      element('td', { text: entry.attempt }),
      element('td', { className: 'error', text: entry.error ? `${entry.error.name}: ${entry.error.message}` : '' }),
    );
    return row;
  });
  byId('job-history').querySelector('tbody').replaceChildren(...rows);
  detail.hidden = false;
}

/**
 * Reloads every panel. A call during a refresh runs one more refresh after it, not a parallel one.
 * Without an API key nothing is requested, because every data route would return 401.
 */
async function refresh() {
  if (!apiKey()) {
    setStatus('enter an API key above to load the queues');
    return;
  }
  if (view.refreshing) {
    view.refreshAgain = true;
    return;
  }
  view.refreshing = true;
  try {
    if (view.queues.length === 0) {
      await loadQueues();
    }
    await Promise.all([renderQueues(), renderDeadJobs(), renderJob()]);
    setStatus(`updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    setStatus(error.message, true);
  } finally {
    view.refreshing = false;
  }
  if (view.refreshAgain) {
    view.refreshAgain = false;
    await refresh();
  }
}

async function loadQueues() {
  const { queues } = await callApi('GET', 'queues');
  view.queues = queues;
  const select = byId('dead-queue');
  select.replaceChildren(...queues.map((queue) => element('option', { text: queue.name, attributes: { value: queue.name } })));
  view.selectedQueue = queues[0]?.name ?? null;
}

function showJob(id) {
  view.shownJobId = id;
  byId('job-id').value = id;
  renderJob().catch((error) => setStatus(error.message, true));
}

async function runAction(action, id) {
  try {
    const job = action === 'retry' ? await callApi('POST', `jobs/${encodeURIComponent(id)}/retry`) : await callApi('DELETE', `jobs/${encodeURIComponent(id)}`);
    setStatus(`job ${job.id} ${action === 'retry' ? 'retried' : 'cancelled'}: now ${job.state}`);
    view.shownJobId = id;
    await Promise.all([renderQueues(), renderDeadJobs(), renderJob()]);
  } catch (error) {
    setStatus(`${action} failed: ${error.message}`, true);
  }
}

function start() {
  const keyInput = byId('api-key');
  keyInput.value = apiKey();
  byId('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, keyInput.value.trim());
    view.queues = [];
    refresh();
  });
  byId('forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    keyInput.value = '';
  });
  byId('dead-queue').addEventListener('change', (event) => {
    view.selectedQueue = event.target.value;
    renderDeadJobs().catch((error) => setStatus(error.message, true));
  });
  byId('job-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = byId('job-id').value.trim();
    if (id) {
      showJob(id);
    }
  });
  byId('job-retry').addEventListener('click', () => runAction('retry', view.shownJobId));
  byId('job-cancel').addEventListener('click', () => runAction('cancel', view.shownJobId));

  // Refreshes only while the tab is visible, and at once when it becomes visible again.
  setInterval(() => {
    if (!document.hidden && byId('auto-refresh').checked) {
      refresh();
    }
  }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && byId('auto-refresh').checked) {
      refresh();
    }
  });
  refresh();
}

start();
