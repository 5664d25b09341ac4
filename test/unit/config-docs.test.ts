import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { renderConfigurationDocs, settingsTable } from '../../lib/config/config-docs';
import { setting } from '../../lib/config/setting-meta';

describe('docs/configuration.md', () => {
  it('matches the schemas; run npm run docs:config when this fails', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    expect(committed).toBe(renderConfigurationDocs());
  });
});

describe('settingsTable', () => {
  it('renders the default, unit and range of each field', () => {
    const schema = z.strictObject({
      timeoutMs: z.number().int().min(1).max(60_000).default(1000).meta(setting('How long to wait.', 'ms')),
      mode: z.enum(['a', 'b']).optional().meta(setting('Which mode | pipe escaped.')),
      name: z.string().meta(setting('A name.')),
    });
    expect(settingsTable(schema, 'setting').split('\n')).toEqual([
      '| setting | default | unit | accepted values | meaning |',
      '|---|---|---|---|---|',
      '| `timeoutMs` | `1000` | ms | integer 1 to 60,000 | How long to wait. |',
      '| `mode` | (unset) |  | `a`, `b` | Which mode \\| pipe escaped. |',
      '| `name` | (required) |  | string | A name. |',
    ]);
  });

  it('rejects a field without a description', () => {
    expect(() => settingsTable(z.strictObject({ hidden: z.string() }), 'setting')).toThrow('setting hidden has no .meta() description');
  });
});
