import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderOpenApiDocument } from '../lib/api/openapi';

/** Writes docs/openapi.json from the API's zod schemas; a unit test fails while the file is stale. */
const target = resolve(__dirname, '..', 'docs', 'openapi.json');
writeFileSync(target, renderOpenApiDocument());
process.stdout.write(`wrote ${target}\n`);
