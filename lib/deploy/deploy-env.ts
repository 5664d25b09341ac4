import { z } from 'zod';
import { setting } from '../config/setting-meta';
import { ConfigError } from '../errors';

const idList = (pattern: RegExp, example: string) =>
  z
    .string()
    .trim()
    .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(pattern, `each id must look like ${example}`)));

/**
 * Variables that `serverless package` and `serverless deploy` read from the deploying shell, besides
 * the functions' own settings that serverless.yml passes on to them.
 */
export const deployEnvSchema = z
  .object({
    SLUICE_QUEUES_FILE: z.string().trim().min(1).optional().meta(setting('Another queue definitions file instead of queues.json (serverless.yml, the local stack and the functions).')),
    SLUICE_TRIGGERS_FILE: z.string().trim().min(1).optional().meta(setting('Another trigger definitions file instead of triggers.json.')),
    SLUICE_VPC_SUBNET_IDS: idList(/^subnet-[0-9a-f]+$/, 'subnet-0123abcd').optional().meta(setting('Comma-separated private subnets that reach MongoDB and ElastiCache; puts every function in the VPC.')),
    SLUICE_VPC_SECURITY_GROUP_IDS: idList(/^sg-[0-9a-f]+$/, 'sg-0123abcd').optional().meta(setting('Comma-separated security groups of the functions; set together with SLUICE_VPC_SUBNET_IDS.')),
    SLUICE_SECRETS_KMS_KEY_ARN: z
      .string()
      .trim()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, 'must be a KMS key ARN')
      .optional()
      .meta(setting('Customer-managed KMS key that encrypts the SSM parameters or secrets; the roles get kms:Decrypt on it. Not needed for the AWS-managed keys.')),
  })
  .superRefine((env, context) => {
    const subnets = env.SLUICE_VPC_SUBNET_IDS?.length ?? 0;
    const groups = env.SLUICE_VPC_SECURITY_GROUP_IDS?.length ?? 0;
    if ((subnets === 0) !== (groups === 0)) {
      context.addIssue({
        code: 'custom',
        path: [subnets === 0 ? 'SLUICE_VPC_SUBNET_IDS' : 'SLUICE_VPC_SECURITY_GROUP_IDS'],
        message: 'is missing; set both SLUICE_VPC_SUBNET_IDS and SLUICE_VPC_SECURITY_GROUP_IDS, or neither',
      });
    }
  });

export type DeployEnv = z.infer<typeof deployEnvSchema>;

/** Reads the deployment variables; throws {@link ConfigError} naming each invalid one. Empty values count as unset. */
export function readDeployEnv(env: NodeJS.ProcessEnv = process.env): DeployEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = deployEnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
    throw new ConfigError(`invalid deployment setting: ${problems.join('; ')}`, { setting: String(parsed.error.issues[0]?.path[0]) });
  }
  return parsed.data;
}
