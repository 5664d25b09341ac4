import type { TemplateResource } from './check-template';

interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** Services whose resources each function must name one by one: its queues and its secrets. */
const NAMED_RESOURCE_SERVICES = ['sqs', 'ssm', 'secretsmanager'];

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Renders one resource value as the ARN text it stands for: Fn::Join and Fn::Sub become their
 * text, and Ref or Fn::GetAtt (which name a resource of the template, never a pattern) become `<ref>`.
 */
function renderResource(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(renderResource).join(join[0]);
    }
    const sub = record['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  }
  return '<ref>';
}

/** Returns the policy statements of a role, policy or managed policy resource, with a label for each. */
function statementsOf(resourceId: string, resource: TemplateResource): { label: string; statement: PolicyStatement }[] {
  const properties = resource.Properties ?? {};
  const documents: unknown[] = [];
  if (resource.Type === 'AWS::IAM::Role') {
    for (const policy of asList(properties.Policies as { PolicyDocument?: unknown }[] | undefined)) {
      documents.push(policy.PolicyDocument);
    }
  } else if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
    documents.push(properties.PolicyDocument);
  }
  return documents.flatMap((document) =>
    asList((document as { Statement?: PolicyStatement | PolicyStatement[] } | undefined)?.Statement).map((statement, index) => ({
      label: `${resourceId} policy statement ${index + 1}`,
      statement,
    })),
  );
}

/**
 * Checks every IAM statement of a template for least privilege: no `Resource: "*"` at all, no
 * `*` action, and no wildcard in an SQS, SSM or Secrets Manager resource, so each function can
 * reach only the queues and secrets it names. Returns one message per statement that breaks a rule.
 */
export function iamProblems(resources: Record<string, TemplateResource>): string[] {
  const problems: string[] = [];
  for (const [resourceId, resource] of Object.entries(resources)) {
    for (const { label, statement } of statementsOf(resourceId, resource)) {
      if (statement.Effect !== 'Allow') continue;
      const actions = asList(statement.Action);
      const parts = asList(statement.Resource as unknown).map(renderResource);
      if (actions.some((action) => action === '*' || action.endsWith(':*'))) {
        problems.push(`${label}: action ${JSON.stringify(actions)} allows every action of a service; list the actions the function calls`);
      }
      if (parts.includes('*')) {
        problems.push(`${label}: Resource "*" for ${actions.join(', ')}; name the resources the function uses`);
        continue;
      }
      const services = new Set(actions.map((action) => action.split(':')[0]));
      const named = NAMED_RESOURCE_SERVICES.filter((service) => services.has(service));
      if (named.length > 0 && parts.some((part) => part.includes('*'))) {
        problems.push(`${label}: a ${named.join('/')} resource contains a wildcard (${parts.filter((part) => part.includes('*')).join(', ')}); name each queue or secret`);
      }
    }
  }
  return problems;
}
