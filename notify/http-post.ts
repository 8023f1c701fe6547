/**
 * One outbound POST under the outbound policy: the host name is resolved by our own lookup, every
 * address is checked, and the connection goes to an address that was checked (a second resolution
 * cannot swap in 127.0.0.1: DNS rebinding). Redirects are not followed, the attempt has a deadline,
 * and the answer is read only up to a size cap.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { ALLOW_HINT, blockedRange, hostOf, webhookUrlProblem, type OutboundPolicy } from './outbound-policy.ts';

export type PostOutcome =
  | { delivered: true; status: number }
  /** `permanent`: the policy refused the target; trying again cannot help. */
  | { delivered: false; status?: number; reason: string; permanent: boolean };

class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect that refuses a host if any of its addresses is blocked. */
function checkedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { family: options.family ?? 0, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      // All or nothing: a name that also resolves inward is refused, whichever address would be tried.
      for (const { address } of addresses) {
        // The address itself is not told: the outcome is readable by API users, who need no map of internal DNS.
        const blocked = blockedRange(policy, address);
        if (blocked) return callback(new BlockedAddressError(`${hostname} resolves to a blocked address: ${blocked}; ${ALLOW_HINT}`), []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** POSTs `body` to `url`; never throws, the outcome says what happened. */
export function postUnderPolicy(policy: OutboundPolicy, url: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
  const problem = webhookUrlProblem(policy, url);
  if (problem) return Promise.resolve({ delivered: false, reason: `webhook_url ${problem}`, permanent: true });
  const target = new URL(url);
  const host = hostOf(target);
  return new Promise((resolve) => {
    let settled = false;
    /** Set once the status line is in: a slow body after it does not undo the answer. */
    let answered: PostOutcome | undefined;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const request = (target.protocol === 'https:' ? https : http).request({
      method: 'POST',
      hostname: host,
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      // A fresh connection per attempt: a pooled socket would skip the address check.
      agent: false,
      // Literal addresses never reach `lookup`; webhookUrlProblem has checked them above.
      ...(net.isIP(host) ? {} : { lookup: checkedLookup(policy) }),
    });
    const deadline = setTimeout(() => {
      finish(answered ?? { delivered: false, reason: `no answer within ${policy.timeoutMs} ms`, permanent: false });
      request.destroy();
    }, policy.timeoutMs);
    request.on('error', (err) => {
      if (err instanceof BlockedAddressError) finish({ delivered: false, reason: err.message, permanent: true });
      else finish({ delivered: false, reason: `${(err as NodeJS.ErrnoException).code ?? 'error'}: ${err.message}`, permanent: false });
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const outcome: PostOutcome = (answered =
        status >= 200 && status < 300
          ? { delivered: true, status }
          : {
              delivered: false,
              status,
              permanent: false,
              reason: status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`,
            });
      // The status decides; the answer's body is drained (up to the cap) only so the exchange ends cleanly.
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > policy.maxResponseBytes) response.destroy();
      });
      response.on('error', () => finish(outcome));
      response.on('close', () => finish(outcome));
    });
    request.end(body);
  });
}
