import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../lib/config/env';

/**
 * Lambda sets AWS_REGION itself, and each process function gets SLUICE_QUEUE from its queue
 * definition. REDIS_PASSWORD is read at cold start from REDIS_PASSWORD_PARAMETER or
 * REDIS_PASSWORD_SECRET_ARN, so no password lands in the CloudFormation template.
 */
const SET_ELSEWHERE = new Set(['AWS_REGION', 'SLUICE_QUEUE', 'REDIS_PASSWORD']);

describe('serverless.yml provider environment', () => {
  // `${env:...}` and `${self:...}` are only strings to the YAML parser, which is all this test needs.
  const template = parse(readFileSync(join(__dirname, '..', '..', 'serverless.yml'), 'utf8')) as { provider: { environment: Record<string, string> } };
  const passed = Object.keys(template.provider.environment);

  it.each(CONFIG_VARIABLES.filter((name) => !SET_ELSEWHERE.has(name)))('passes %s to the functions', (name) => {
    expect(passed).toContain(name);
  });

  it('passes each setting from the deploying environment', () => {
    for (const name of CONFIG_VARIABLES.filter((variable) => passed.includes(variable) && !['SLUICE_SERVICE', 'SLUICE_STAGE'].includes(variable))) {
      expect({ name, value: template.provider.environment[name] }).toEqual({ name, value: expect.stringContaining(`\${env:${name}`) });
    }
  });
});
