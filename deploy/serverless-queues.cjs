// Loaded by serverless.yml through ${file(...)}: builds the per-queue process functions, SQS
// queues, dead-letter queues, trigger functions and IAM roles from queues.json and triggers.json,
// using the same TypeScript code (lib/queues, lib/triggers, lib/deploy) that the functions and the
// embedded local stack use. esbuild compiles that code in memory.
const Module = require('node:module');
const path = require('node:path');
const { buildSync } = require('esbuild');

const entry = path.join(__dirname, '..', 'lib', 'queues', 'serverless-resources.ts');

function loadTypeScript(file) {
  const output = buildSync({ entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', write: false, packages: 'external' });
  const compiled = new Module(file, module);
  compiled.filename = file;
  compiled.paths = Module._nodeModulePaths(path.dirname(file));
  compiled._compile(output.outputFiles[0].text, file);
  return compiled.exports;
}

let cached;

async function queueConfig(resolveVariable) {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  cached ??= loadTypeScript(entry).serverlessQueueConfig({ service, stage });
  return cached;
}

module.exports.processFunctions = async ({ resolveVariable }) => (await queueConfig(resolveVariable)).processFunctions;
module.exports.triggerFunctions = async ({ resolveVariable }) => (await queueConfig(resolveVariable)).triggerFunctions;
module.exports.resources = async ({ resolveVariable }) => (await queueConfig(resolveVariable)).resources;
module.exports.vpc = async ({ resolveVariable }) => (await queueConfig(resolveVariable)).vpc;
