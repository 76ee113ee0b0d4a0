// Where a webhook may go (README, Webhooks). A webhook URL is chosen by a client, but the request leaves from
// inside the operator's network: without these checks it could reach the cloud metadata service, the
// database or an admin port (SSRF). So, unless the operator allows private targets, every address a
// host resolves to must be public — checked when the URL is registered and again at every attempt,
// and the attempt then connects to exactly the addresses checked (no second DNS answer in between).
import { BlockList, isIP } from 'node:net';
import { expandIpv6 } from '../ip-address.js';
import { lookup } from 'node:dns/promises';

/** The URL may never be used (scheme, credentials, or a non-public address): not worth retrying. */
export class WebhookTargetRefusedError extends Error {
  override name = 'WebhookTargetRefusedError';
}

/** The host did not resolve: may be temporary (DNS outage), so a delivery retries it. */
export class WebhookTargetUnresolvedError extends Error {
  override name = 'WebhookTargetUnresolvedError';
}

export type ResolvedAddress = { address: string; family: 4 | 6 };
export type ResolvedTarget = { url: URL; host: string; addresses: ResolvedAddress[] };
export type ResolveHost = (host: string) => Promise<ResolvedAddress[]>;

const IPV4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local, incl. cloud metadata'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['168.63.129.16', 32, 'cloud platform service (Azure wire server)'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved, incl. broadcast'],
];

const IPV6_RANGES: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::ffff:0:0:0', 96, 'IPv4-translated (SIIT)'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 32, 'Teredo tunnel'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (private)'],
  ['ff00::', 8, 'multicast'],
];

const ranges = [
  ...IPV4_RANGES.map(([net, prefix, name]) => ({ list: subnet(net, prefix, 'ipv4'), type: 'ipv4' as const, name })),
  ...IPV6_RANGES.map(([net, prefix, name]) => ({ list: subnet(net, prefix, 'ipv6'), type: 'ipv6' as const, name })),
];

function subnet(net: string, prefix: number, type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return list;
}

/**
 * The kind of non-public range `ip` belongs to ("loopback", "private"…), or undefined for a public
 * address. IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address too.
 */
export function nonPublicRange(ip: string): string | undefined {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const own = ranges.find((r) => r.type === type && r.list.check(bare, type));
  if (own) return own.name;
  if (family === 6) {
    const embedded = embeddedIpv4(bare);
    if (embedded) {
      const range = nonPublicRange(embedded);
      if (range) return `${range}, as IPv4 ${embedded} inside IPv6`;
    }
  }
  return undefined;
}

function embeddedIpv4(ipv6: string): string | undefined {
  const g = expandIpv6(ipv6);
  if (!g) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return undefined;
}

const resolveWithDns: ResolveHost = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/**
 * Parses and checks a webhook URL and resolves its host. Throws WebhookTargetRefusedError when it may
 * never be used, WebhookTargetUnresolvedError when its host does not resolve (now).
 */
export async function resolveWebhookTarget(
  value: string,
  {
    allowPrivateTargets,
    resolveHost = resolveWithDns,
  }: {
    allowPrivateTargets: boolean;
    resolveHost?: ResolveHost;
  },
): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WebhookTargetRefusedError(`webhook URL '${value}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookTargetRefusedError('webhook URL must use http or https');
  if (url.username || url.password) throw new WebhookTargetRefusedError('webhook URL must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolveHost(host);
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).message;
      throw new WebhookTargetUnresolvedError(`webhook host '${host}' could not be resolved (${code})`, { cause: error });
    }
    if (!addresses.length) throw new WebhookTargetUnresolvedError(`webhook host '${host}' resolved to no address`);
  }
  if (!allowPrivateTargets) {
    for (const { address } of addresses) {
      const range = nonPublicRange(address);
      if (range) {
        throw new WebhookTargetRefusedError(
          `webhook host '${host}' resolves to ${address} (${range}); `
            + 'private, loopback and link-local destinations are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true',
        );
      }
    }
  }
  return { url, host, addresses };
}
