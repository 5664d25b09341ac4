import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { setting } from '../config/setting-meta';
import { ConfigError } from '../errors';

const triggerNamePattern = /^[a-z][a-z0-9-]{0,39}$/;

/** An EventBridge rule on a bus (default: the account's default bus) with an event pattern. */
export const eventBridgeSourceSchema = z.strictObject({
  eventBus: z.string().min(1).optional().meta(setting("Event bus name or ARN; the account's default bus when unset.")),
  pattern: z
    .record(z.string(), z.unknown())
    .refine((pattern) => Object.keys(pattern).length > 0, 'must match at least one field')
    .meta(setting('EventBridge event pattern, such as `{ "source": ["shop.orders"] }`.')),
});

/** A subscription to an SNS topic: one that Sluice creates (`topicName`) or an existing one (`arn`). */
export const snsSourceSchema = z
  .strictObject({
    topicName: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 letters, digits, - or _').optional().meta(setting('A topic that the stack creates. Set this or arn.')),
    arn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
      .optional()
      .meta(setting('An existing topic. Set this or topicName.')),
    filterPolicy: z.record(z.string(), z.unknown()).optional().meta(setting('SNS subscription filter policy on message attributes.')),
    messageFormat: z.enum(['json', 'text']).default('json').meta(setting('`json`: the message is parsed as JSON (a message that is not JSON is malformed); `text`: it stays a string.')),
  })
  .refine((source) => (source.topicName === undefined) !== (source.arn === undefined), 'must set exactly one of topicName (a topic Sluice creates) and arn (an existing topic)');

/** Object-created notifications of an S3 bucket, optionally limited to a key prefix and suffix. */
export const s3SourceSchema = z.strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').meta(setting('Bucket name.')),
  existing: z.boolean().default(false).meta(setting('`true`: the bucket exists outside the stack; `false`: the stack creates it.')),
  prefix: z.string().optional().meta(setting('Only objects whose key starts with this.')),
  suffix: z.string().optional().meta(setting('Only objects whose key ends with this.')),
});

const sourceSchema = z.union([
  z.strictObject({ eventBridge: eventBridgeSourceSchema }),
  z.strictObject({ sns: snsSourceSchema }),
  z.strictObject({ s3: s3SourceSchema }),
]);

export const triggerSchema = z.strictObject({
  source: sourceSchema.meta(setting('Exactly one of `{ "eventBridge": {...} }`, `{ "sns": {...} }` or `{ "s3": {...} }`.')),
  queue: z.string().min(1).meta(setting('Queue the jobs go to, a queue of queues.json.')),
  jobType: z.string().min(1).meta(setting("Job type of the jobs; its payload schema checks each mapped payload.")),
  payload: z
    .unknown()
    .refine((value) => value !== undefined, 'is required; use {} for a job type without payload')
    .meta(setting('Payload template: every `{ "$path": "a.b.0.c" }` in it is replaced by that field of the event record; the rest is copied.')),
  priority: z.number().int().min(0).max(9).optional().meta(setting('Priority of the jobs (0-9).')),
  delaySeconds: z.number().int().min(0).max(30 * 24 * 60 * 60).optional().meta(setting('Delay of the jobs (up to 30 days).', 's')),
  maxAttempts: z.number().int().min(1).max(100).optional().meta(setting("Attempts of each job; the queue's or job type's default when unset.", 'count')),
});

const triggersFileSchema = z.strictObject({
  $comment: z.string().optional(),
  triggers: z.record(z.string().regex(triggerNamePattern, 'trigger names are 1-40 lowercase letters, digits or dashes, starting with a letter'), triggerSchema),
});

type TriggerSettings = z.infer<typeof triggerSchema>;
export type TriggerSource = TriggerSettings['source'];

/** The kind of event a trigger receives. */
export const TriggerKind = { eventBridge: 'eventBridge', sns: 'sns', s3: 's3' } as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];

/** One trigger with the names derived from it. */
export interface TriggerDefinition extends TriggerSettings {
  name: string;
  kind: TriggerKind;
  /** Name of the trigger function in serverless.yml: `trigger-<name>`. */
  functionName: string;
}

export const DEFAULT_TRIGGERS_FILE = join(__dirname, '..', '..', 'triggers.json');

/** Returns the trigger definitions file named by SLUICE_TRIGGERS_FILE, or undefined when it is unset. */
export function triggersFileFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.SLUICE_TRIGGERS_FILE?.trim();
  return file ? file : undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const [root, trigger, ...setting] = issue.path.map(String);
  const where = root === 'triggers' && trigger !== undefined ? `trigger "${trigger}"` : '(root)';
  if (issue.code === 'invalid_key') {
    return `trigger name "${String(issue.path.at(-1))}" is invalid; ${issue.issues[0]?.message ?? 'rename it'}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `${where}${setting.length > 0 ? ` ${setting.join('.')}` : ''}: unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}; check the spelling against docs/configuration.md`;
  }
  if (issue.code === 'invalid_union' && setting[0] === 'source') {
    return `${where}: source must be exactly one of { "eventBridge": {...} }, { "sns": {...} } or { "s3": {...} } with valid settings (see docs/configuration.md)`;
  }
  return `${where}: ${setting.length > 0 ? `${setting.join('.')} ` : ''}${issue.message}`;
}

function kindOf(source: TriggerSource): TriggerKind {
  if ('eventBridge' in source) return TriggerKind.eventBridge;
  if ('sns' in source) return TriggerKind.sns;
  return TriggerKind.s3;
}

/**
 * Checks trigger definitions: unknown keys, invalid values, and queues and job types that do not
 * exist. Returns one message per problem, each naming the trigger and the setting.
 */
export function checkTriggerDefinitions(raw: unknown, known: { queues: string[]; jobTypes: string[] }): string[] {
  const parsed = triggersFileSchema.safeParse(raw);
  if (!parsed.success) {
    return parsed.error.issues.map(describeIssue);
  }
  const problems: string[] = [];
  for (const [name, trigger] of Object.entries(parsed.data.triggers)) {
    if (!known.queues.includes(trigger.queue)) {
      problems.push(`trigger "${name}": queue "${trigger.queue}" is not defined; use one of: ${known.queues.join(', ')}`);
    }
    if (!known.jobTypes.includes(trigger.jobType)) {
      problems.push(`trigger "${name}": jobType "${trigger.jobType}" is not registered; use one of: ${known.jobTypes.join(', ')}`);
    }
  }
  return problems;
}

/** Parses trigger definitions; throws {@link ConfigError} naming each invalid setting. */
export function parseTriggerDefinitions(raw: unknown, known: { queues: string[]; jobTypes: string[] }, source = 'triggers.json'): TriggerDefinition[] {
  const problems = checkTriggerDefinitions(raw, known);
  if (problems.length > 0) {
    throw new ConfigError(`${source} is invalid; fix these settings: ${problems.join('; ')}`, { setting: source });
  }
  const parsed = triggersFileSchema.parse(raw);
  return Object.entries(parsed.triggers).map(([name, trigger]) => ({ ...trigger, name, kind: kindOf(trigger.source), functionName: `trigger-${name}` }));
}

/** Reads a JSON file of trigger definitions; throws {@link ConfigError} when it cannot be read. */
export function readTriggersFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read trigger definitions from ${file}; it must be a JSON file`, { setting: file, cause: error });
  }
}
