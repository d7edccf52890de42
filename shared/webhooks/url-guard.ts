/**
 * Where a webhook may point (SSRF). In the cloud: https only, and never an address of the
 * platform's own networks: private (RFC 1918, IPv6 unique-local), loopback, link-local (the
 * instance metadata service 169.254.169.254 among them), CGNAT (RFC 6598), multicast,
 * unspecified, reserved, or an IPv4-mapped/-compatible IPv6 address of any of those. Dev mode
 * also allows loopback and plain http (a local sink). A hostname is checked again when it is
 * resolved, on every delivery: every address it resolves to must pass, and the connection goes
 * to the address that was checked (guardedLookup), so a DNS answer that changes in between
 * (rebinding) cannot redirect it.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { badRequest } from '../errors.js';

/** What a deployment lets webhooks reach. */
export interface WebhookUrlPolicy {
  /** Plain http allowed (dev mode). */
  allowHttp: boolean;
  /** Loopback addresses (127.0.0.0/8, ::1, `localhost`) allowed (dev mode). */
  allowLoopback: boolean;
}

/** The cloud's policy: https, public addresses only. */
export const CLOUD_WEBHOOK_POLICY: WebhookUrlPolicy = { allowHttp: false, allowLoopback: false };
/** Dev mode's: loopback and http too (a sink on 127.0.0.1). */
export const DEV_WEBHOOK_POLICY: WebhookUrlPolicy = { allowHttp: true, allowLoopback: true };

/** The only range ipaddr.js calls public; everything else (private, loopback, linkLocal, carrierGradeNat, multicast, reserved, …) is refused. */
const PUBLIC_RANGE = 'unicast';

/** Why `address` may not be reached under `policy`, or undefined when it may. */
export function refusedAddress(address: string, policy: WebhookUrlPolicy): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let ip = ipaddr.parse(address);
  // ::ffff:10.0.0.1 and the like reach the IPv4 address: judge that one.
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    else if (v6.range() === 'rfc6052' || v6.range() === '6to4' || v6.range() === 'teredo') return `${address} is a translated address (${v6.range()})`;
  }
  const range = ip.range();
  if (range === PUBLIC_RANGE) return undefined;
  if (range === 'loopback' && policy.allowLoopback) return undefined;
  return `${address} is a ${range} address`;
}

/**
 * Checks a webhook URL's form under `policy`: the scheme, no credentials in it, and, when its
 * host is an IP address, that address. A hostname is checked when it is resolved (guardedLookup).
 * @throws ClientError 400 naming `field` and what is wrong.
 */
export function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy, field = 'webhook.url'): URL {
  const refuse = (message: string) => badRequest(`${field}: ${message}`, [{ field, message }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('not a URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) throw refuse(policy.allowHttp ? 'must be http or https' : 'must be https');
  if (url.username || url.password) throw refuse('must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    const why = refusedAddress(host, policy);
    if (why) throw refuse(`${why}: webhooks may not reach it`);
  } else if (/^localhost\.?$/i.test(host) || /\.localhost\.?$/i.test(host)) {
    if (!policy.allowLoopback) throw refuse('localhost is a loopback address: webhooks may not reach it');
  }
  return url;
}

/** Resolves a hostname to all of its addresses (node's dns.lookup with `all`), as guardedLookup uses it; tests give their own. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** A refused address, as a connection error the sender records. */
export class WebhookAddressRefused extends Error {
  override readonly name = 'WebhookAddressRefused';
}

/**
 * A `lookup` for node's http(s).request: resolves the host, refuses the connection unless every
 * address it resolves to passes `policy`, and connects to the first of them, the address checked.
 */
export function guardedLookup(policy: WebhookUrlPolicy, resolver: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const literal = hostname.replace(/^\[|\]$/g, '');
    const resolved: Promise<LookupAddress[]> = ipaddr.isValid(literal)
      ? Promise.resolve([{ address: literal, family: literal.includes(':') ? 6 : 4 }])
      : resolver(hostname);
    resolved.then(
      (addresses) => {
        if (addresses.length === 0) return callback(new WebhookAddressRefused(`${hostname} resolves to no address`), '', 4);
        for (const { address } of addresses) {
          const why = refusedAddress(address, policy);
          if (why) return callback(new WebhookAddressRefused(`${hostname} resolves to ${address}: ${why}; webhooks may not reach it`), '', 4);
        }
        const first = addresses[0]!;
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [first]);
        callback(null, first.address, first.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 4),
    );
  };
}
