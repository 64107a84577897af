import { normalizeAddress, parseTrustedProxies, TrustedProxies } from './trusted-proxies';

describe('TrustedProxies', () => {
  const trusted = TrustedProxies.of(parseTrustedProxies('10.0.0.0/8, 192.168.1.10,fd00::/8'));

  it('trusts listed addresses and blocks, IPv4-mapped IPv6 peers included', () => {
    expect(trusted.isTrusted('10.1.2.3')).toBe(true);
    expect(trusted.isTrusted('::ffff:10.1.2.3')).toBe(true);
    expect(trusted.isTrusted('192.168.1.10')).toBe(true);
    expect(trusted.isTrusted('192.168.1.11')).toBe(false);
    expect(trusted.isTrusted('fd12::1')).toBe(true);
    expect(trusted.isTrusted('2001:db8::1')).toBe(false);
    expect(trusted.isTrusted('not-an-ip')).toBe(false);
    expect(trusted.isTrusted(undefined)).toBe(false);
  });

  it('trusts no one by default', () => {
    expect(TrustedProxies.none.isEmpty).toBe(true);
    expect(TrustedProxies.none.isTrusted('127.0.0.1')).toBe(false);
    expect(TrustedProxies.of([])).toBe(TrustedProxies.none);
  });

  it('the client of an untrusted peer is the peer, whatever X-Forwarded-For says', () => {
    expect(trusted.clientAddress('203.0.113.7', '1.2.3.4')).toBe('203.0.113.7');
    expect(trusted.clientAddress('::ffff:203.0.113.7', undefined)).toBe('203.0.113.7');
    expect(TrustedProxies.none.clientAddress('10.0.0.1', '1.2.3.4')).toBe('10.0.0.1');
  });

  it('the client behind trusted proxies is the right-most untrusted entry of the chain', () => {
    expect(trusted.clientAddress('10.0.0.1', '198.51.100.1')).toBe('198.51.100.1');
    // the client claims 1.1.1.1; the proxies appended what they saw
    expect(trusted.clientAddress('10.0.0.1', '1.1.1.1, 198.51.100.1, 10.0.0.2')).toBe('198.51.100.1');
    expect(trusted.clientAddress('10.0.0.1', ['1.1.1.1', '198.51.100.1'])).toBe('198.51.100.1');
    // every hop trusted: the left-most
    expect(trusted.clientAddress('10.0.0.1', '10.0.0.3, 10.0.0.2')).toBe('10.0.0.3');
    // garbage ends the walk at the hop that handed it over
    expect(trusted.clientAddress('10.0.0.1', 'garbage, 10.0.0.2')).toBe('10.0.0.2');
    expect(trusted.clientAddress('10.0.0.1', 'garbage')).toBe('10.0.0.1');
    expect(trusted.clientAddress('10.0.0.1', undefined)).toBe('10.0.0.1');
  });
});

describe('parseTrustedProxies', () => {
  it('accepts IPs and CIDR blocks of both families', () => {
    expect(parseTrustedProxies('10.0.0.1,10.0.0.0/8,::1,fd00::/8,0.0.0.0/0')).toEqual([
      '10.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      '0.0.0.0/0',
    ]);
  });

  it.each([
    ['10.0.0.1,', 'empty entry'],
    ['proxy.internal', 'is not an IP address'],
    ['10.0.0.0/33', 'prefix length that is not 0 to 32'],
    ['fd00::/129', 'prefix length that is not 0 to 128'],
    ['10.0.0.0/x', 'prefix length'],
    ['10.0.0.256', 'is not an IP address'],
  ])('refuses %j', (raw, message) => {
    expect(() => parseTrustedProxies(raw)).toThrow(message);
  });
});

describe('normalizeAddress', () => {
  it('reads an IPv4-mapped IPv6 address as IPv4', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('::1')).toBe('::1');
  });
});
