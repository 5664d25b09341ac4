import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { readConfig } from '../../lib/config/env';
import { powertoolsSecretSources, resolveSecretSettings } from '../../lib/config/secrets';
import { ConfigError } from '../../lib/errors';

const base = { REDIS_CLUSTER_NODES: '127.0.0.1:7000' };
const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice-redis-AbCdEf';

/** Powertools providers over real SDK clients whose `send` is replaced: the only mocked layer. */
function mockedSources(replies: { parameter?: string | Error; secret?: string | Error }) {
  const ssmClient = new SSMClient({ region: 'us-east-1' });
  const secretsClient = new SecretsManagerClient({ region: 'us-east-1' });
  const ssmSend = jest.spyOn(ssmClient, 'send').mockImplementation(async (command: unknown) => {
    if (!(command instanceof GetParameterCommand)) throw new Error('unexpected SSM command');
    if (replies.parameter instanceof Error) throw replies.parameter;
    return { Parameter: { Name: command.input.Name, Value: replies.parameter } };
  });
  const secretsSend = jest.spyOn(secretsClient, 'send').mockImplementation(async (command: unknown) => {
    if (!(command instanceof GetSecretValueCommand)) throw new Error('unexpected Secrets Manager command');
    if (replies.secret instanceof Error) throw replies.secret;
    return { ARN: command.input.SecretId, SecretString: replies.secret };
  });
  const sources = powertoolsSecretSources({
    ssm: new SSMProvider({ awsSdkV3Client: ssmClient }),
    secrets: new SecretsProvider({ awsSdkV3Client: secretsClient }),
  });
  return { sources, ssmSend, secretsSend };
}

describe('readConfig secret references', () => {
  it('accepts a parameter in place of MONGODB_URI', () => {
    const config = readConfig({ ...base, MONGODB_URI_PARAMETER: '/sluice/prod/mongodb-uri' });
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.MONGODB_URI_PARAMETER).toBe('/sluice/prod/mongodb-uri');
  });

  it('rejects a value together with its reference', () => {
    expect(() => readConfig({ ...base, MONGODB_URI: 'mongodb://127.0.0.1', MONGODB_URI_SECRET_ARN: secretArn.replace('redis', 'mongo') })).toThrow(
      'MONGODB_URI_SECRET_ARN (value: "arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice-mongo-AbCdEf") is set together with MONGODB_URI',
    );
  });

  it('rejects a missing MongoDB setting, naming all three', () => {
    expect(() => readConfig(base)).toThrow('set MONGODB_URI_PARAMETER or MONGODB_URI_SECRET_ARN');
  });

  it('rejects a malformed secret ARN', () => {
    expect(() => readConfig({ ...base, MONGODB_URI_SECRET_ARN: 'sluice-mongo' })).toThrow('MONGODB_URI_SECRET_ARN (value: "sluice-mongo") must be a Secrets Manager secret ARN');
  });
});

describe('resolveSecretSettings', () => {
  it('reads the MongoDB URI from SSM with decryption', async () => {
    const { sources, ssmSend } = mockedSources({ parameter: 'mongodb+srv://user:pw@cluster0.example.net/' });
    const config = readConfig({ ...base, MONGODB_URI_PARAMETER: '/sluice/prod/mongodb-uri' });

    const resolved = await resolveSecretSettings(config, sources);

    expect(resolved.MONGODB_URI).toBe('mongodb+srv://user:pw@cluster0.example.net/');
    expect(ssmSend).toHaveBeenCalledTimes(1);
    expect((ssmSend.mock.calls[0]?.[0] as GetParameterCommand).input).toEqual({ Name: '/sluice/prod/mongodb-uri', WithDecryption: true });
  });

  it('reads the Redis password from Secrets Manager once', async () => {
    const { sources, secretsSend } = mockedSources({ secret: 'redis-auth-token' });
    const config = readConfig({ ...base, MONGODB_URI: 'mongodb://127.0.0.1', REDIS_PASSWORD_SECRET_ARN: secretArn });

    const first = await resolveSecretSettings(config, sources);
    const second = await resolveSecretSettings(config, sources);

    expect(first.REDIS_PASSWORD).toBe('redis-auth-token');
    expect(second.REDIS_PASSWORD).toBe('redis-auth-token');
    expect(first.MONGODB_URI).toBe('mongodb://127.0.0.1');
    // Powertools caches the value, so the second resolution makes no call.
    expect(secretsSend).toHaveBeenCalledTimes(1);
  });

  it('leaves a configuration without references as it is', async () => {
    const { sources, ssmSend, secretsSend } = mockedSources({});
    const config = readConfig({ ...base, MONGODB_URI: 'mongodb://127.0.0.1' });
    expect(await resolveSecretSettings(config, sources)).toEqual(config);
    expect(ssmSend).not.toHaveBeenCalled();
    expect(secretsSend).not.toHaveBeenCalled();
  });

  it('names the variable when the read fails', async () => {
    const { sources } = mockedSources({ parameter: Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' }) });
    const config = readConfig({ ...base, MONGODB_URI_PARAMETER: '/sluice/prod/mongodb-uri' });
    const resolution = resolveSecretSettings(config, sources);
    await expect(resolution).rejects.toThrow(ConfigError);
    await expect(resolveSecretSettings(config, sources)).rejects.toThrow('cannot read MONGODB_URI from MONGODB_URI_PARAMETER "/sluice/prod/mongodb-uri"');
  });

  it('rejects a stored value that is not a connection string, without quoting it', async () => {
    const { sources } = mockedSources({ parameter: 'hunter2' });
    const config = readConfig({ ...base, MONGODB_URI_PARAMETER: '/sluice/prod/mongodb-uri' });
    const message = await resolveSecretSettings(config, sources).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    expect(message).toContain('does not start with mongodb://');
    expect(message).not.toContain('hunter2');
  });
});
