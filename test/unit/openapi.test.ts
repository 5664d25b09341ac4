import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { renderOpenApiDocument } from '../../lib/api/openapi';
import { jobPayloadSchemas, createJobTypeRegistry } from '../../lib/jobs/types';
import { OpenApiValidator, readOpenApiDocument } from '../support/openapi-validator';

const root = resolve(__dirname, '..', '..');

describe('OpenAPI document', () => {
  it('matches docs/openapi.json (run npm run openapi when this fails)', () => {
    expect(readFileSync(resolve(root, 'docs', 'openapi.json'), 'utf8')).toBe(renderOpenApiDocument());
  });

  it('describes every HTTP route of serverless.yml', () => {
    type HttpApiEvent = string | { method: string; path: string };
    type FunctionGroup = Record<string, { events?: Array<{ httpApi?: HttpApiEvent }> }>;
    const config = parse(readFileSync(resolve(root, 'serverless.yml'), 'utf8')) as { functions: Array<FunctionGroup | string> };
    // A route is written either as 'GET /path' or as { method, path, authorizer }.
    const routeKey = (event: HttpApiEvent) => (typeof event === 'string' ? event : `${event.method.toUpperCase()} ${event.path}`);
    const routes = config.functions
      .filter((entry): entry is FunctionGroup => typeof entry === 'object')
      .flatMap((group) => Object.values(group).flatMap((fn) => (fn.events ?? []).flatMap((event) => (event.httpApi ? [routeKey(event.httpApi)] : []))));
    expect(routes.length).toBeGreaterThan(10);

    const document = readOpenApiDocument();
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual([...routes].sort());
  });

  it('compiles every component schema with Ajv 2020-12', () => {
    const validator = new OpenApiValidator(readOpenApiDocument());
    for (const name of Object.keys(validator.document.components.schemas)) {
      expect(() => validator.schema(`#/components/schemas/${name}`)).not.toThrow();
    }
  });

  it('applies the http payload schema to http job requests', () => {
    const validate = new OpenApiValidator(readOpenApiDocument()).schema('#/components/schemas/JobRequest');
    expect(validate({ type: 'http', payload: { url: 'http://127.0.0.1:8080/hook', method: 'PUT' } })).toBe(true);
    expect(validate({ type: 'http', payload: { url: 'http://127.0.0.1:8080/hook', method: 'FETCH' } })).toBe(false);
    expect(validate({ type: 'http', payload: { method: 'POST' } })).toBe(false);
    expect(validate({ type: 'http', payload: {}, delaySeconds: -1 })).toBe(false);
    expect(validate({ type: 'http', payload: { url: 'http://127.0.0.1/' }, colour: 'red' })).toBe(false);
  });
});

describe('jobPayloadSchemas', () => {
  it('names the registered job types with their schemas', () => {
    const registry = createJobTypeRegistry();
    expect(Object.keys(jobPayloadSchemas).sort()).toEqual(registry.names().sort());
    for (const [name, schema] of Object.entries(jobPayloadSchemas)) {
      expect(registry.get(name).payloadSchema).toBe(schema);
    }
  });
});
