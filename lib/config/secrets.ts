import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ConfigError } from '../errors';
import { SECRET_SETTINGS, type SluiceConfig } from './env';

/** Reads one SSM parameter (decrypted) or one Secrets Manager secret as a string. */
export interface SecretSources {
  getParameter(name: string): Promise<string | undefined>;
  getSecret(arn: string): Promise<string | undefined>;
}

/** Powertools caches each value this long; the functions read them once per container anyway. */
const CACHE_SECONDS = 900;

/** Sources backed by Powertools Parameters, which wrap the SSM and Secrets Manager clients and cache the values. */
export function powertoolsSecretSources(providers: { ssm?: SSMProvider; secrets?: SecretsProvider } = {}): SecretSources {
  let ssm = providers.ssm;
  let secrets = providers.secrets;
  return {
    getParameter: async (name) => {
      ssm ??= new SSMProvider();
      return ssm.get(name, { decrypt: true, maxAge: CACHE_SECONDS });
    },
    getSecret: async (arn) => {
      secrets ??= new SecretsProvider();
      const value = await secrets.get(arn, { maxAge: CACHE_SECONDS });
      if (value === undefined || typeof value === 'string') {
        return value;
      }
      // A secret stored as SecretBinary arrives as bytes.
      return Buffer.from(value).toString('utf8');
    },
  };
}

/**
 * Returns the configuration with each setting of {@link SECRET_SETTINGS} read from the SSM
 * parameter or Secrets Manager secret its `*_PARAMETER` or `*_SECRET_ARN` variable names. Settings
 * given directly stay as they are. Throws {@link ConfigError} naming the variable when a read fails
 * or returns nothing; the error never contains the value.
 */
export async function resolveSecretSettings(config: SluiceConfig, sources: SecretSources): Promise<SluiceConfig> {
  const resolved: SluiceConfig = { ...config };
  for (const { setting, parameter, secretArn } of SECRET_SETTINGS) {
    const parameterName = config[parameter];
    const arn = config[secretArn];
    if (parameterName === undefined && arn === undefined) continue;
    const variable = parameterName !== undefined ? parameter : secretArn;
    const reference = (parameterName ?? arn) as string;
    let value: string | undefined;
    try {
      value = parameterName !== undefined ? await sources.getParameter(parameterName) : await sources.getSecret(reference);
    } catch (error) {
      throw new ConfigError(`cannot read ${setting} from ${variable} ${JSON.stringify(reference)}: ${(error as Error).message}; check the name and the function role's permission`, {
        setting: variable,
        cause: error,
      });
    }
    if (value === undefined || value.trim() === '') {
      throw new ConfigError(`${variable} ${JSON.stringify(reference)} has no value; store ${setting} there`, { setting: variable });
    }
    if (setting === 'MONGODB_URI' && !/^mongodb(\+srv)?:\/\//.test(value.trim())) {
      throw new ConfigError(`the value of ${variable} ${JSON.stringify(reference)} does not start with mongodb:// or mongodb+srv://; store the connection string there`, { setting: variable });
    }
    resolved[setting] = value.trim();
  }
  return resolved;
}
