/** `npm run docs:config`: writes docs/configuration.md from the zod schemas of every setting. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigurationDocs } from '../lib/config/config-docs';

const file = join(__dirname, '..', 'docs', 'configuration.md');
writeFileSync(file, renderConfigurationDocs());
process.stdout.write(`wrote ${file}\n`);
