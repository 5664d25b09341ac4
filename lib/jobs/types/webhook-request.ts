import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkDestination, systemResolver, WebhookDestinationError, type Resolver, type WebhookAllowList } from './webhook-guard';

/** Redirects followed per delivery; each target passes the guard again. */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials and are dropped when a redirect leaves the original origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export interface WebhookRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal;
  allow: WebhookAllowList;
  resolve?: Resolver;
  /** Characters of the response body kept; the rest is not read. */
  maxBodyChars: number;
}

export interface WebhookResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The URL that returned the final response, after redirects. */
  url: string;
}

/** Builds a lookup that returns the address the guard checked, so a second DNS answer cannot change where the socket connects. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      return;
    }
    callback(null, address, family);
  };
}

function readBody(response: IncomingMessage, maxChars: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
      if (text.length >= maxChars) {
        response.destroy();
        resolve(text.slice(0, maxChars));
      }
    });
    response.on('end', () => resolve(text.slice(0, maxChars)));
    response.on('error', () => resolve(text.slice(0, maxChars)));
    response.on('close', () => resolve(text.slice(0, maxChars)));
  });
}

/** Sends one request to a checked address; resolves with the response or rejects with the socket error. */
async function sendOnce(url: URL, request: WebhookRequest, method: string, headers: Record<string, string>, body: string | undefined): Promise<WebhookResponse> {
  const destination = await checkDestination(url, request.allow, request.resolve ?? systemResolver);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(destination.address, destination.family),
        signal: request.signal,
        agent: false,
      },
      (response) => {
        readBody(response, request.maxBodyChars).then(
          (text) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text, url: url.toString() }),
          reject,
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Delivers a webhook through the SSRF guard: every address of the host (and of every redirect
 * target) must pass it, and the connection goes to the address that was checked. Follows up to
 * {@link MAX_REDIRECTS} redirects (303, and 301/302 after a POST, continue as GET without a body;
 * credential headers are dropped when the origin changes). Throws `WebhookDestinationError` when
 * the guard refuses a destination, and the socket's error when the connection fails.
 */
export async function sendWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  let url = new URL(request.url);
  let method = request.method;
  let headers = request.headers;
  let body = request.body;
  for (let redirects = 0; ; redirects += 1) {
    const response = await sendOnce(url, request, method, headers, body);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.status) || location === undefined) {
      return response;
    }
    if (redirects === MAX_REDIRECTS) {
      throw new WebhookDestinationError(`${request.method} ${new URL(request.url).origin} redirected more than ${MAX_REDIRECTS} times`);
    }
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new WebhookDestinationError(`redirect to a ${next.protocol} URL is refused; webhooks follow only http and https redirects`);
    }
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
    }
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase())));
    }
    url = next;
  }
}
