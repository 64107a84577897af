import {
  host,
  hostPortList,
  httpUrl,
  integer,
  oneOf,
  parseHostPort,
  port,
  postgresUrl,
  secretKey,
  serviceCredential,
  uuid,
} from './env-var';

describe('env var parsers', () => {
  describe('httpUrl', () => {
    it.each(['http://127.0.0.1:3103/internal/introspect', 'https://token-service.internal/x'])('accepts %s', (raw) => {
      expect(httpUrl().parse(raw)).toBe(raw);
    });
    it.each(['127.0.0.1:3103', 'ftp://x/y', 'http://a b/', 'not a url', 'javascript:alert(1)'])('rejects %s', (raw) => {
      expect(() => httpUrl().parse(raw)).toThrow('an absolute http(s) URL');
    });
  });

  it('secretKey takes 32 bytes as hex or base64url, is sensitive, and refuses anything else', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
    expect(secretKey().sensitive).toBe(true);
    expect(secretKey().parse(bytes.toString('hex'))).toEqual(bytes);
    expect(secretKey().parse(bytes.toString('base64url'))).toEqual(bytes);
    for (const bad of ['', 'x'.repeat(64), bytes.toString('hex').slice(2), bytes.toString('base64'), 'secret'])
      expect(() => secretKey().parse(bad)).toThrow('a 256-bit key');
  });

  it('uuid takes a lower-case UUID and nothing else', () => {
    expect(uuid().parse('f398c2c5-80ad-4377-988c-14aa059ef5d0')).toBe('f398c2c5-80ad-4377-988c-14aa059ef5d0');
    for (const bad of ['F398C2C5-80AD-4377-988C-14AA059EF5D0', 'f398c2c5', 'f398c2c580ad4377988c14aa059ef5d0', 'x'])
      expect(() => uuid().parse(bad)).toThrow('a UUID');
  });

  it('serviceCredential needs 32 characters and is sensitive', () => {
    expect(serviceCredential().sensitive).toBe(true);
    expect(serviceCredential().parse('x'.repeat(32))).toBe('x'.repeat(32));
    expect(() => serviceCredential().parse('x'.repeat(31))).toThrow('at least 32 characters');
  });

  describe('port', () => {
    it.each(['1', '3001', '65535'])('accepts %s', (raw) => {
      expect(port().parse(raw)).toBe(Number(raw));
    });
    it.each(['0', '65536', '-1', '3.5', 'abc', '80a', '1e3'])('rejects %s', (raw) => {
      expect(() => port().parse(raw)).toThrow('an integer from 1 to 65535');
    });
  });

  it('integer honours min and max', () => {
    expect(integer({ min: 10 }).parse('10')).toBe(10);
    expect(() => integer({ min: 10 }).parse('9')).toThrow('an integer >= 10');
    expect(() => integer({ max: 10 }).parse('11')).toThrow('an integer <= 10');
  });

  describe('host', () => {
    it.each(['127.0.0.1', '0.0.0.0', 'localhost', 'kafka', 'db.internal.example.com', '::', '::1'])(
      'accepts %s',
      (raw) => {
        expect(host().parse(raw)).toBe(raw);
      },
    );
    it.each(['http://localhost', 'localhost:3000', 'a b', '/tmp/sock'])('rejects %s', (raw) => {
      expect(() => host().parse(raw)).toThrow('a host name or IP address');
    });
  });

  describe('hostPortList', () => {
    it('splits and trims a comma-separated list', () => {
      expect(hostPortList().parse('kafka-1:9092, kafka-2:9093')).toEqual(['kafka-1:9092', 'kafka-2:9093']);
    });
    it('accepts bracketed IPv6', () => {
      expect(hostPortList().parse('[::1]:9092')).toEqual(['[::1]:9092']);
    });
    it.each(['kafka', 'kafka:', ':9092', 'kafka:0', 'kafka:99999', 'a:1,,b:2', 'kafka:9092,'])('rejects %s', (raw) => {
      expect(() => hostPortList().parse(raw)).toThrow('comma-separated list of host:port');
    });
  });

  it('parseHostPort returns host and port', () => {
    expect(parseHostPort('127.0.0.1:9092')).toEqual({ host: '127.0.0.1', port: 9092 });
    expect(parseHostPort('[::1]:5432')).toEqual({ host: '::1', port: 5432 });
  });

  describe('postgresUrl', () => {
    it.each([
      'postgres://postgres@127.0.0.1:5432/latchkey_identity',
      'postgresql://user:secret@db/latchkey?sslmode=require',
    ])('accepts %s', (raw) => {
      expect(postgresUrl().parse(raw)).toBe(raw);
    });
    it.each([
      ['mysql://root@db/x', 'a postgres:// URL'],
      ['not a url', 'a postgres:// URL'],
      ['postgres://db:5432/', 'the database name is missing'],
      ['postgres:///latchkey', 'the host is missing'],
    ])('rejects %s', (raw, message) => {
      expect(() => postgresUrl().parse(raw)).toThrow(message);
    });
    it('is sensitive by default', () => {
      expect(postgresUrl().sensitive).toBe(true);
    });
  });

  it('oneOf accepts only the listed values', () => {
    const v = oneOf(['a', 'b']);
    expect(v.parse('b')).toBe('b');
    expect(() => v.parse('c')).toThrow('one of a|b');
  });
});
