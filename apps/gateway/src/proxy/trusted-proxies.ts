import { BlockList, isIP } from 'node:net';

/**
 * The proxies whose forwarding headers the gateway believes (`TRUSTED_PROXIES`: IP addresses and
 * CIDR blocks, IPv4 or IPv6; default none). A request whose immediate peer is not one of them has
 * its `Forwarded`, `X-Real-IP` and `X-Forwarded-*` headers dropped (proxy-headers.ts), and its
 * client address is the peer's. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, as a dual-stack
 * socket reports an IPv4 peer) are read as the IPv4 address.
 */
export class TrustedProxies {
  private readonly list = new BlockList();

  private constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const { address, prefix, family } = parseEntry(entry);
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, prefix, family);
    }
  }

  /** No proxy is trusted. */
  static readonly none = new TrustedProxies([]);

  /** From entries already checked by {@link parseTrustedProxies} (throws a TypeError on a bad one). */
  static of(entries: readonly string[]): TrustedProxies {
    return entries.length === 0 ? TrustedProxies.none : new TrustedProxies(entries);
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Whether `address` (a socket's remote address or an X-Forwarded-For entry) is a trusted proxy. */
  isTrusted(address: string | undefined): boolean {
    if (this.entries.length === 0 || address === undefined) return false;
    const ip = normalizeAddress(address);
    const family = isIP(ip);
    if (family === 0) return false;
    return this.list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address: the peer itself unless it is a trusted proxy; then the right-most entry
   * of X-Forwarded-For that is not a trusted proxy (each trusted hop appended the address it saw,
   * so entries left of the first untrusted one are the client's own claims). When every entry is
   * trusted, the left-most; an entry that is not an IP address ends the walk at the hop before it.
   */
  clientAddress(peer: string, forwardedFor: string | string[] | undefined): string {
    const from = normalizeAddress(peer);
    if (!this.isTrusted(from) || forwardedFor === undefined) return from;
    const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    let hop = from;
    for (let i = chain.length - 1; i >= 0; i--) {
      const entry = normalizeAddress((chain[i] as string).trim());
      if (isIP(entry) === 0) return hop;
      hop = entry;
      if (!this.isTrusted(entry)) return entry;
    }
    return hop;
  }
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything else unchanged. */
export function normalizeAddress(address: string): string {
  if (address.length > 7 && address.slice(0, 7).toLowerCase() === '::ffff:') {
    const v4 = address.slice(7);
    if (isIP(v4) === 4) return v4;
  }
  return address;
}

function parseEntry(entry: string): { address: string; prefix: number | undefined; family: 'ipv4' | 'ipv6' } {
  const slash = entry.indexOf('/');
  const address = normalizeAddress(slash < 0 ? entry : entry.slice(0, slash));
  const version = isIP(address);
  if (version === 0) throw new TypeError(`"${entry}" is not an IP address or CIDR block`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) return { address, prefix: undefined, family };
  const raw = entry.slice(slash + 1);
  const prefix = Number(raw);
  const max = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(raw) || prefix > max)
    throw new TypeError(`"${entry}" has a prefix length that is not 0 to ${max}`);
  return { address, prefix, family };
}

/** Parses `TRUSTED_PROXIES` (comma-separated IPs / CIDRs); throws a TypeError naming a bad entry. */
export function parseTrustedProxies(raw: string): string[] {
  const entries = raw.split(',').map((s) => s.trim());
  if (entries.some((e) => e === '')) throw new TypeError('it has an empty entry');
  for (const entry of entries) parseEntry(entry);
  return entries;
}
