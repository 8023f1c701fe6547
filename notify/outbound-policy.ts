/**
 * What the server may post to on a user's behalf (webhooks): https unless the operator allows http, no
 * credentials in the URL, and never an address inside the platform's own networks (loopback, private,
 * link-local, reserved...) unless the operator allows that network. A URL is checked when it is saved
 * and every resolved address again when it is used (see http-post.ts), so DNS cannot point it inward later.
 */
import net from 'node:net';
import type { WebhookConfig } from '../config/config.ts';

export interface OutboundPolicy {
  allowHttp: boolean;
  /** Networks the operator allows although they are blocked below. */
  allowed: net.BlockList;
  timeoutMs: number;
  /** The receiver's answer is read (and discarded) up to this many bytes, then the connection is cut. */
  maxResponseBytes: number;
}

/** Special-purpose ranges (IANA IPv4/IPv6 special-purpose registries), with the name a refusal gives. */
const BLOCKED_RANGES: [reason: string, cidr: string][] = [
  ['loopback', '127.0.0.0/8'],
  ['loopback', '::1/128'],
  ['"this network"', '0.0.0.0/8'],
  ['unspecified', '::/128'],
  ['private', '10.0.0.0/8'],
  ['private', '172.16.0.0/12'],
  ['private', '192.168.0.0/16'],
  ['carrier-grade NAT', '100.64.0.0/10'],
  ['link-local', '169.254.0.0/16'],
  ['link-local', 'fe80::/10'],
  ['unique-local', 'fc00::/7'],
  ['site-local', 'fec0::/10'],
  ['multicast', '224.0.0.0/4'],
  ['multicast', 'ff00::/8'],
  ['reserved', '240.0.0.0/4'], // includes the broadcast address
  ['IETF protocol assignments', '192.0.0.0/24'],
  ['documentation', '192.0.2.0/24'],
  ['documentation', '198.51.100.0/24'],
  ['documentation', '203.0.113.0/24'],
  ['documentation', '2001:db8::/32'],
  ['benchmarking', '198.18.0.0/15'],
  ['6to4 relay', '192.88.99.0/24'],
  // Forms that embed an IPv4 address a gateway would reach for us (IPv4-mapped ::ffff:a.b.c.d needs no
  // entry: BlockList matches it against the IPv4 ranges above).
  ['IPv4-compatible', '::/96'],
  ['NAT64', '64:ff9b::/96'],
  ['NAT64', '64:ff9b:1::/48'],
  ['6to4', '2002::/16'],
  ['IETF protocol assignments (Teredo)', '2001::/23'],
  ['discard-only', '100::/64'],
];

function addCidr(list: net.BlockList, cidr: string): void {
  const [address, prefix] = cidr.split('/') as [string, string];
  list.addSubnet(address, Number(prefix), net.isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

const BLOCKED = BLOCKED_RANGES.map(([reason, cidr]) => {
  const list = new net.BlockList();
  addCidr(list, cidr);
  return { reason, cidr, list };
});

/** The policy for the operator's webhook settings. */
export function outboundPolicy(config: WebhookConfig): OutboundPolicy {
  const allowed = new net.BlockList();
  for (const cidr of config.allowedNetworks) addCidr(allowed, cidr);
  return { allowHttp: config.allowHttp, allowed, timeoutMs: config.timeoutMs, maxResponseBytes: 64 * 1024 };
}

/** The blocked range an IP address falls in (e.g. `loopback (127.0.0.0/8)`), or undefined when allowed. */
export function blockedRange(policy: OutboundPolicy, address: string): string | undefined {
  const family = net.isIP(address);
  if (!family) return 'not an IP address';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (policy.allowed.check(address, type)) return undefined;
  const hit = BLOCKED.find((b) => b.list.check(address, type));
  return hit && `${hit.reason} (${hit.cidr})`;
}

export const ALLOW_HINT = 'an operator can allow it with WEBHOOK_ALLOWED_NETWORKS';

/** `[::1]` in a URL is `::1` to the resolver. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * What is wrong with a webhook URL before any DNS lookup (scheme, credentials, host, literal
 * addresses), or undefined. Host names are checked after resolution, at delivery.
 */
export function webhookUrlProblem(policy: OutboundPolicy, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return policy.allowHttp ? 'must use https or http' : 'must use https (an operator can allow http with WEBHOOK_ALLOW_HTTP)';
  }
  if (url.username || url.password) return 'must not contain credentials (user:password@)';
  const host = hostOf(url);
  if (!host) return 'must name a host';
  const blocked = net.isIP(host) ? blockedRange(policy, host) : undefined;
  return blocked && `${host} is ${blocked}; ${ALLOW_HINT}`;
}
