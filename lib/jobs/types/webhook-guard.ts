import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/**
 * Guard against server-side request forgery by webhook jobs: a destination must be a public
 * unicast address unless the allow-list names it. Checked on the literal address, or on every
 * address a host name resolves to, and again for every redirect.
 */

/** Resolves a host name to all its addresses, as `dns.lookup(host, { all: true })` does. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

/**
 * Cloud metadata and platform service addresses, refused by name so the rule does not depend on
 * ipaddr.js's range table: AWS's IPv4 and IPv6 metadata endpoints, and Azure's WireServer
 * (168.63.129.16), which is public unicast.
 */
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254', '168.63.129.16'].map((address) => ipaddr.parse(address).toString());

/** The allow-list: CIDR ranges and exact host names (lower case). */
export interface WebhookAllowList {
  ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  hosts: Set<string>;
}

export const EMPTY_ALLOW_LIST: WebhookAllowList = { ranges: [], hosts: new Set() };

/**
 * Parses SLUICE_WEBHOOK_ALLOW: a comma-separated list of CIDR ranges (`10.1.0.0/16`), single
 * addresses (`127.0.0.1`) and host names (`hooks.internal.example`). Throws an Error naming the
 * invalid entry.
 */
export function parseAllowList(value: string | undefined): WebhookAllowList {
  const list: WebhookAllowList = { ranges: [], hosts: new Set() };
  for (const entry of (value ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    if (entry.includes('/')) {
      try {
        list.ranges.push(ipaddr.parseCIDR(entry));
      } catch {
        throw new Error(`SLUICE_WEBHOOK_ALLOW entry ${JSON.stringify(entry)} is not a valid CIDR range; write it like 10.1.0.0/16 or fd12::/64`);
      }
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      list.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)) {
      list.hosts.add(entry.toLowerCase());
    } else {
      throw new Error(`SLUICE_WEBHOOK_ALLOW entry ${JSON.stringify(entry)} is neither a CIDR range, an IP address nor a host name`);
    }
  }
  return list;
}

/** Returns the IPv4 address an IPv6 address carries (IPv4-mapped, NAT64, SIIT or 6to4), if any. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') {
    return ipaddr.IPv4.parse(bytes.slice(12).join('.'));
  }
  if (range === '6to4') {
    return ipaddr.IPv4.parse(bytes.slice(2, 6).join('.'));
  }
  return undefined;
}

function isAllowListed(address: ipaddr.IPv4 | ipaddr.IPv6, allow: WebhookAllowList): boolean {
  return allow.ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/**
 * Decides whether a webhook may connect to `literal` (an IPv4 or IPv6 address). Returns undefined
 * when it may, or the reason it may not: any range other than public unicast (private, loopback,
 * link-local, unique-local, carrier-grade NAT, unspecified, broadcast, multicast, reserved,
 * Teredo...), a public address that reaches a metadata service, or an IPv6 address that carries a
 * refused IPv4 address. The allow-list overrides every rule.
 */
export function refusedAddressReason(literal: string, allow: WebhookAllowList = EMPTY_ALLOW_LIST): string | undefined {
  if (!ipaddr.isValid(literal)) {
    return `${literal} is not an IP address`;
  }
  const address = ipaddr.parse(literal);
  if (isAllowListed(address, allow)) {
    return undefined;
  }
  if (METADATA_ADDRESSES.includes(address.toString())) {
    return `${address.toString()} is a cloud metadata address`;
  }
  if (address.kind() === 'ipv6') {
    const carried = embeddedIPv4(address as ipaddr.IPv6);
    if (carried) {
      const reason = refusedAddressReason(carried.toString(), allow);
      return reason === undefined ? undefined : `${address.toString()} carries ${carried.toString()}: ${reason}`;
    }
  }
  const range = address.range();
  return range === 'unicast' ? undefined : `${address.toString()} is in the ${range} range`;
}

/** The host of a URL without IPv6 brackets, lower case. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Host names that never leave the machine, refused without a DNS lookup. */
function isLocalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * Checks a URL's host without DNS, as enqueue does: a literal address must pass
 * {@link refusedAddressReason} and `localhost` names are refused, unless allow-listed. Returns the reason or undefined.
 */
export function refusedHostReason(url: URL, allow: WebhookAllowList = EMPTY_ALLOW_LIST): string | undefined {
  const host = bareHost(url);
  if (allow.hosts.has(host)) {
    return undefined;
  }
  if (isIP(host) !== 0) {
    return refusedAddressReason(host, allow);
  }
  return isLocalName(host) ? `${host} is a loopback host name` : undefined;
}

/** The address a request may connect to, after every address of its host passed the guard. */
export interface CheckedDestination {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a URL's host (all addresses) and returns the address to connect to, or throws
 * {@link WebhookDestinationError} when the host does not resolve or any of its addresses is refused.
 * Refusing when any address is refused keeps a host with one public and one private address
 * from reaching the private one on a retry.
 */
export async function checkDestination(url: URL, allow: WebhookAllowList, resolve: Resolver = systemResolver): Promise<CheckedDestination> {
  const host = bareHost(url);
  const hostAllowed = allow.hosts.has(host);
  const literalFamily = isIP(host);
  if (literalFamily !== 0) {
    const reason = hostAllowed ? undefined : refusedAddressReason(host, allow);
    if (reason) {
      throw new WebhookDestinationError(`destination ${url.origin} is refused: ${reason}; add it to SLUICE_WEBHOOK_ALLOW if it is meant to be reached`);
    }
    return { address: host, family: literalFamily as 4 | 6 };
  }
  if (!hostAllowed && isLocalName(host)) {
    throw new WebhookDestinationError(`destination ${url.origin} is refused: ${host} is a loopback host name`);
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    throw new WebhookDestinationError(`destination host ${host} did not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`, { cause: error, retryable: true });
  }
  if (addresses.length === 0) {
    throw new WebhookDestinationError(`destination host ${host} resolved to no address`, { retryable: true });
  }
  for (const resolved of addresses) {
    const reason = hostAllowed ? undefined : refusedAddressReason(resolved.address, allow);
    if (reason) {
      throw new WebhookDestinationError(`destination ${url.origin} is refused: ${host} resolves to ${reason}; add it to SLUICE_WEBHOOK_ALLOW if it is meant to be reached`);
    }
  }
  const first = addresses[0] as LookupAddress;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A webhook destination the guard refused, or whose host did not resolve (`retryable`). */
export class WebhookDestinationError extends Error {
  readonly retryable: boolean;

  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebhookDestinationError';
    this.retryable = options.retryable ?? false;
  }
}

let configured: WebhookAllowList | undefined;

/** Returns the allow-list of SLUICE_WEBHOOK_ALLOW, parsed once per container. */
export function configuredAllowList(): WebhookAllowList {
  configured ??= parseAllowList(process.env.SLUICE_WEBHOOK_ALLOW);
  return configured;
}
