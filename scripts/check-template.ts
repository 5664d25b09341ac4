/**
 * Checks the CloudFormation template written by `serverless package` (default
 * .serverless/cloudformation-template-update-stack.json) and exits with 1 when it breaks a rule.
 * Usage: tsx scripts/check-template.ts [template.json]
 */
import { readFileSync } from 'node:fs';
import { checkTemplate } from '../lib/deploy/check-template';

const file = process.argv[2] ?? '.serverless/cloudformation-template-update-stack.json';
let template: unknown;
try {
  template = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  process.stderr.write(`cannot read ${file} (${(error as Error).message}); run "npm run package" first or pass the template path\n`);
  process.exit(1);
}
const problems = checkTemplate(template as Parameters<typeof checkTemplate>[0]);
if (problems.length > 0) {
  process.stderr.write(`${file} fails the deployment checks:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`${file}: every SQS event source and IAM statement passes the deployment checks\n`);
