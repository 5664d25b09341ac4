import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const DOCUMENT_ID = 'sluice-openapi';

export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json'?: { schema: { $ref: string } } } }> }>>;
  components: { schemas: Record<string, unknown> };
}

/** Reads docs/openapi.json, as committed. */
export function readOpenApiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as OpenApiDocument;
}

/**
 * Validates JSON bodies against the schemas of an OpenAPI 3.1 document with Ajv's JSON Schema
 * 2020-12 dialect and ajv-formats. Compiled validators are kept per schema reference.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    // strict: false because the document's top level contains OpenAPI fields that are not JSON Schema keywords.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  }

  /** Returns the validator of a `#/components/schemas/...` reference. */
  schema(reference: string): ValidateFunction {
    let validate = this.compiled.get(reference);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${reference}` });
      this.compiled.set(reference, validate);
    }
    return validate;
  }

  /**
   * Returns the problems of a response body against the document's response for the operation
   * (`path` is the template, such as `/jobs/{id}`), or the reason the document has no such response.
   */
  responseProblems(method: string, path: string, status: number, body: unknown): string[] {
    const operation = this.document.paths[path]?.[method.toLowerCase()];
    if (!operation) {
      return [`the document has no operation ${method} ${path}`];
    }
    const response = operation.responses[String(status)];
    if (!response) {
      return [`the document lists no ${status} response for ${method} ${path}; it lists ${Object.keys(operation.responses).join(', ')}`];
    }
    const schema = response.content?.['application/json']?.schema;
    if (!schema) {
      return [`the ${status} response of ${method} ${path} has no application/json schema`];
    }
    const validate = this.schema(schema.$ref);
    if (validate(body)) {
      return [];
    }
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
  }
}
