/**
 * The SSRF guard for outbound webhooks: a webhook URL is chosen by a project admin, so without
 * it Laneway would POST wherever it is told, including its own Postgres, Redis or the cloud's
 * metadata service.
 *
 * This module is the rule: which addresses may receive a webhook (`checkAddress`), which URLs
 * (`checkUrlSyntax`), and one resolve-and-check step (`resolveChecked`) shared by the REST
 * layer's check at create time (`checkUrl`) and the worker's connections at delivery time
 * (`workers/src/webhooks/guarded-dispatcher.ts`). It lives in the server, the lower of the two
 * layers that need it (decision 0019).
 *
 * Invariant: unless `allowPrivate`, no socket is opened to an address that `checkAddress`
 * refuses. Every address a name resolves to is checked, and the socket connects to the checked
 * answer itself (the guarded dispatcher), so a DNS answer that changes between the check and
 * the connection (rebinding) cannot slip through. Why and how: docs/decisions/0009.
 */
import dns, { type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Verdict = { ok: true } | { ok: false; reason: string };

/** Resolves a host name to every address it has, like `dns.lookup(name, { all: true })`. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export interface GuardOptions {
  /** WEBHOOK_ALLOW_PRIVATE: skip the address checks (scheme and credential checks still apply). */
  allowPrivate?: boolean;
  /** Replaces the system resolver; tests use it to play a rebinding DNS server. */
  resolve?: Resolve;
}

/** Thrown by `resolveChecked` (and the worker's dispatcher); `deliver` reports it as `refused: …`. */
export class RefusedDestinationError extends Error {
  readonly code = 'ERR_WEBHOOK_DESTINATION_REFUSED';
  override name = 'RefusedDestinationError';
}

// ipaddr.js names each special range; these are the ones a reader should see by name. Any
// other range but plain `unicast` (documentation, benchmarking, 240/4, AS112, Teredo, ...)
// is refused as reserved: the guard allows what is known to be public, not the reverse.
const DESCRIPTIONS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  uniqueLocal: 'a private address',
  deprecatedSiteLocal: 'a private address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a shared (CGNAT) address',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
};

// Metadata services that are not all inside the ranges above: Azure's WireServer is a public
// address, and naming the rest gives the admin a clearer reason than "link-local".
const METADATA = new Set(
  [
    '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
    '169.254.170.2', // AWS ECS task credentials
    '168.63.129.16', // Azure WireServer
    '100.100.100.200', // Alibaba Cloud
    '192.0.0.192', // Oracle Cloud (classic)
    'fd00:ec2::254', // AWS IMDS over IPv6
    'fd20:ce::254', // GCP metadata over IPv6
  ].map((a) => ipaddr.parse(a).toNormalizedString()),
);

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/** The IPv4 address an IPv6 one carries and routes to, for the forms that embed one. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = address.parts;
  const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range: string = address.range();
  if (range === 'ipv4Mapped') return address.toIPv4Address(); // ::ffff:a.b.c.d
  if (range === 'rfc6145') return fromWords(p[6]!, p[7]!); // ::ffff:0:a.b.c.d (SIIT)
  if (address.match(NAT64_WELL_KNOWN)) return fromWords(p[6]!, p[7]!); // 64:ff9b::a.b.c.d
  if (range === '6to4') return fromWords(p[1]!, p[2]!); // 2002:aabb:ccdd::/48
  return null;
}

function classify(address: Address): string {
  if (METADATA.has(address.toNormalizedString())) return 'a cloud metadata address';
  const range: string = address.range();
  if (range === 'unicast' && (address.kind() === 'ipv4' || address.match(GLOBAL_UNICAST_V6))) return 'public';
  return DESCRIPTIONS[range] ?? 'a reserved address';
}

/**
 * Whether one resolved (canonical) IP address may receive a webhook, ignoring `allowPrivate`.
 *
 * @example checkAddress('::ffff:7f00:1') // { ok: false, reason: 'resolves to a loopback address (::ffff:7f00:1 = 127.0.0.1)' }
 */
export function checkAddress(text: string): Verdict {
  if (!ipaddr.isValid(text)) return { ok: false, reason: `is not an IP address (${text})` };
  const address = ipaddr.parse(text);
  const inner = address.kind() === 'ipv6' ? embeddedIPv4(address as ipaddr.IPv6) : null;
  // An embedding is judged by the IPv4 address it reaches; a public one in a 6to4 or NAT64
  // wrapper is allowed, since the wrapper prefixes themselves are public.
  const kind = classify(inner ?? address);
  if (kind === 'public') return { ok: true };
  const shown = inner ? `${text} = ${inner.toString()}` : text;
  return { ok: false, reason: `resolves to ${kind} (${shown})` };
}

/**
 * The checks that need no DNS: a parseable URL, `http:` or `https:`, no user:password part
 * (it would be sent as Basic auth to whoever receives it, and is a classic filter bypass).
 * WHATWG parsing already rewrote decimal, octal, hex and short IPv4 hosts to dotted quads.
 */
export function checkUrlSyntax(input: string | URL): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'is not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `only http and https URLs are allowed (got ${url.protocol})` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'credentials in the URL are not allowed' };
  }
  return { ok: true, url };
}

/** The system resolver, every answer in the order given. */
export const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, order: 'verbatim' });

/** Resolves once and checks every answer; throws RefusedDestinationError on the first bad one. */
export async function resolveChecked(
  hostname: string,
  allowPrivate: boolean,
  resolve: Resolve,
): Promise<LookupAddress[]> {
  const addresses = await resolve(hostname);
  if (addresses.length === 0) {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
  }
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const verdict = checkAddress(address);
      if (!verdict.ok) throw new RefusedDestinationError(verdict.reason);
    }
  }
  return addresses;
}

/** `address`: refused for where it points (not its form), which WEBHOOK_ALLOW_PRIVATE would allow. */
export type UrlCheck = { ok: true; url: URL; addresses: string[] } | { ok: false; reason: string; address?: true };

/**
 * Validates a webhook URL when it is created or changed, resolving its host once, so the REST
 * layer can answer 422 with `reason`. Delivery checks again at connect time: a name that
 * resolved to a public address today may not tomorrow.
 *
 * @example const check = await checkUrl(body.url, { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
 *          if (!check.ok) throw validationError(`url ${check.reason}`);
 */
export async function checkUrl(input: string | URL, options: GuardOptions = {}): Promise<UrlCheck> {
  const { allowPrivate = false, resolve = systemResolve } = options;
  const syntax = checkUrlSyntax(input);
  if (!syntax.ok) return syntax;
  const host = syntax.url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    const verdict = allowPrivate ? ({ ok: true } as const) : checkAddress(host);
    return verdict.ok ? { ok: true, url: syntax.url, addresses: [host] } : { ...verdict, address: true };
  }
  try {
    const addresses = await resolveChecked(host, allowPrivate, resolve);
    return { ok: true, url: syntax.url, addresses: addresses.map((a) => a.address) };
  } catch (error) {
    if (error instanceof RefusedDestinationError) return { ok: false, reason: error.message, address: true };
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { ok: false, reason: `does not resolve (${code})` };
  }
}
