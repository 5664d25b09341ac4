import type { LookupAddress } from 'node:dns';
import { checkDestination, parseAllowList, refusedAddressReason, refusedHostReason, WebhookDestinationError, type Resolver } from '../../lib/jobs/types/webhook-guard';
import { httpPayloadSchema } from '../../lib/jobs/types/http';

/** A resolver that returns fixed answers and records the names it was asked for; nothing reaches DNS. */
function stubResolver(answers: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const addresses = answers[hostname];
    if (!addresses) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

const none = parseAllowList('');

describe('refusedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.10', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['168.63.129.16', 'metadata'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'carries 127.0.0.1'],
    ['::ffff:169.254.169.254', 'carries 169.254.169.254'],
    ['64:ff9b::a9fe:a9fe', 'carries 169.254.169.254'],
    ['64:ff9b::10.0.0.1', 'carries 10.0.0.1'],
    ['2002:a9fe:a9fe::1', 'carries 169.254.169.254'],
    ['2001::1', 'teredo'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
  ])('refuses %s', (address, expected) => {
    expect(refusedAddressReason(address, none)).toContain(expected);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows public %s', (address) => {
    expect(refusedAddressReason(address, none)).toBeUndefined();
  });

  it('allows an address the allow-list covers', () => {
    const allow = parseAllowList('127.0.0.1, 10.20.0.0/16, fd12::/64');
    expect(refusedAddressReason('127.0.0.1', allow)).toBeUndefined();
    expect(refusedAddressReason('10.20.3.4', allow)).toBeUndefined();
    expect(refusedAddressReason('fd12::7', allow)).toBeUndefined();
    expect(refusedAddressReason('::ffff:127.0.0.1', allow)).toBeUndefined();
    expect(refusedAddressReason('127.0.0.2', allow)).toContain('loopback');
    expect(refusedAddressReason('10.21.0.1', allow)).toContain('private');
  });
});

describe('parseAllowList', () => {
  it('reads ranges, addresses and host names', () => {
    const allow = parseAllowList(' 10.0.0.0/8 ,::1, Hooks.Internal.Example ');
    expect(allow.ranges).toHaveLength(2);
    expect([...allow.hosts]).toEqual(['hooks.internal.example']);
  });

  it.each(['10.0.0.0/33', 'http://x', 'a b'])('rejects %s, naming it', (entry) => {
    expect(() => parseAllowList(entry)).toThrow(JSON.stringify(entry));
  });
});

describe('refusedHostReason', () => {
  it.each([
    ['http://localhost:8080/', 'loopback host name'],
    ['http://api.localhost/', 'loopback host name'],
    ['http://[::1]/', 'loopback'],
    ['http://[fd00:ec2::254]/latest', 'metadata'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
  ])('refuses %s without DNS', (url, expected) => {
    expect(refusedHostReason(new URL(url), none)).toContain(expected);
  });

  it('leaves host names to delivery', () => {
    expect(refusedHostReason(new URL('https://hooks.example.com/x'), none)).toBeUndefined();
  });
});

describe('checkDestination', () => {
  it('returns the checked address of a public host', async () => {
    const resolve = stubResolver({ 'hooks.example.com': ['93.184.216.34'] });
    await expect(checkDestination(new URL('https://hooks.example.com/x'), none, resolve)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    expect(resolve.asked).toEqual(['hooks.example.com']);
  });

  it('refuses a host name resolving to the metadata address', async () => {
    const resolve = stubResolver({ 'metadata.example.com': ['169.254.169.254'] });
    await expect(checkDestination(new URL('http://metadata.example.com/latest'), none, resolve)).rejects.toThrow(
      'metadata.example.com resolves to 169.254.169.254 is a cloud metadata address',
    );
  });

  it('refuses a host when any of its addresses is private', async () => {
    const resolve = stubResolver({ 'mixed.example.com': ['93.184.216.34', '10.0.0.5'] });
    const error = await checkDestination(new URL('http://mixed.example.com/'), none, resolve).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookDestinationError);
    expect((error as WebhookDestinationError).retryable).toBe(false);
    expect((error as Error).message).toContain('10.0.0.5 is in the private range');
  });

  it('refuses a host resolving to an IPv4-mapped loopback address', async () => {
    const resolve = stubResolver({ 'v6.example.com': ['::ffff:7f00:1'] });
    await expect(checkDestination(new URL('http://v6.example.com/'), none, resolve)).rejects.toThrow('carries 127.0.0.1');
  });

  it('refuses a literal address without asking DNS', async () => {
    const resolve = stubResolver({});
    await expect(checkDestination(new URL('http://169.254.169.254/latest/meta-data'), none, resolve)).rejects.toThrow('metadata');
    await expect(checkDestination(new URL('http://localhost/'), none, resolve)).rejects.toThrow('loopback host name');
    expect(resolve.asked).toEqual([]);
  });

  it('lets an allow-listed host name through whatever it resolves to', async () => {
    const resolve = stubResolver({ 'hooks.internal': ['10.0.0.5'] });
    await expect(checkDestination(new URL('http://hooks.internal/'), parseAllowList('hooks.internal'), resolve)).resolves.toEqual({ address: '10.0.0.5', family: 4 });
  });

  it('lets an allow-listed range through after resolution', async () => {
    const resolve = stubResolver({ 'hooks.internal': ['10.0.0.5'] });
    await expect(checkDestination(new URL('http://hooks.internal/'), parseAllowList('10.0.0.0/24'), resolve)).resolves.toMatchObject({ address: '10.0.0.5' });
  });

  it('marks a host that does not resolve as retryable', async () => {
    const error = await checkDestination(new URL('http://gone.example.com/'), none, stubResolver({})).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('did not resolve (ENOTFOUND)') });
  });
});

describe('http payload schema guard', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data',
    'http://[fd00:ec2::254]/',
    'http://10.0.0.1/hook',
    'http://localhost/hook',
    'http://[::ffff:169.254.169.254]/',
  ])('rejects %s at enqueue', (url) => {
    const parsed = httpPayloadSchema.safeParse({ url });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('SLUICE_WEBHOOK_ALLOW');
  });
});
