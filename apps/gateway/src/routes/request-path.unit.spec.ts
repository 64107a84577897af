import { classifyRequestPath, PATH_REFUSAL_DETAIL, type PathRefusal } from './request-path';

/** Every refused form: [request target, the rule it breaks]. Shared with the integration test. */
export const REFUSED_TARGETS: ReadonlyArray<readonly [string, PathRefusal]> = [
  ['http://gateway.example/files/a', 'not_origin_form'],
  ['*', 'not_origin_form'],
  ['files/a', 'not_origin_form'],
  ['/files/a#top', 'fragment'],
  ['/files/a?x=1#top', 'fragment'],
  ['//files/a', 'empty_segment'],
  ['/files//a', 'empty_segment'],
  ['/files/a//', 'empty_segment'],
  ['/files/./a', 'dot_segment'],
  ['/files/../admin', 'dot_segment'],
  ['/files/a/..', 'dot_segment'],
  ['/files/a/.', 'dot_segment'],
  ['/files/../admin/', 'dot_segment'],
  ['/files/a;jsessionid=1', 'semicolon'],
  ['/files;/a', 'semicolon'],
  ['/files/..;/admin', 'semicolon'],
  ['/files/a\\..\\admin', 'backslash'],
  ['/files/a%2Fb', 'encoded_slash'],
  ['/files/a%2fb', 'encoded_slash'],
  ['/files/a%5Cb', 'encoded_backslash'],
  ['/files/a%5cb', 'encoded_backslash'],
  ['/files/a%3Bb', 'encoded_semicolon'],
  ['/files/%2e%2e/admin', 'encoded_dot'],
  ['/files/%2E%2E/admin', 'encoded_dot'],
  ['/files/.%2e/admin', 'encoded_dot'],
  ['/files/a%2Ejson', 'encoded_dot'],
  ['/files/%252e%252e/admin', 'encoded_percent'],
  ['/files/%252F', 'encoded_percent'],
  ['/files/100%25', 'encoded_percent'],
  ['/%61dmin/users', 'encoded_unreserved'],
  ['/files/%7E', 'encoded_unreserved'],
  ['/files/%2D', 'encoded_unreserved'],
  ['/files/a%00b', 'control_character'],
  ['/files/a%0Ab', 'control_character'],
  ['/files/a%0d%0aSet-Cookie:x', 'control_character'],
  ['/files/a%7Fb', 'control_character'],
  ['/files/a%C2%85b', 'control_character'],
  ['/files/a%zzb', 'malformed_encoding'],
  ['/files/a%4', 'malformed_encoding'],
  ['/files/a%', 'malformed_encoding'],
  ['/files/a%4?x', 'malformed_encoding'],
  ['/files/a%FFb', 'malformed_encoding'],
  ['/files/%C0%AE%C0%AE/admin', 'malformed_encoding'],
  ['/files/%E0%A4%A', 'malformed_encoding'],
  ['/files/%ED%A0%80', 'malformed_encoding'],
  ['/files/%EF%BC%8E%EF%BC%8E/admin', 'ambiguous_unicode'],
  ['/files/a%EF%BC%8Fb', 'ambiguous_unicode'],
  ['/files/a%EF%BC%852e', 'ambiguous_unicode'],
  ['/files/a%EF%BC%BCb', 'ambiguous_unicode'],
  ['/files/a b', 'invalid_character'],
  ['/files/a"b', 'invalid_character'],
  ['/files/a<b>', 'invalid_character'],
  ['/files/a|b', 'invalid_character'],
  ['/files/a{b}', 'invalid_character'],
  ['/files/a^b', 'invalid_character'],
  ['/files/a`b', 'invalid_character'],
  ['/files/a[0]', 'invalid_character'],
  ['/files/a\u00e9', 'invalid_character'],
  ['/files/a\u0001', 'control_character'],
  ['/files/a\u007f', 'control_character'],
];

/** Accepted targets: [request target, path, query]. Shared with the integration test. */
export const ACCEPTED_TARGETS: ReadonlyArray<readonly [string, string, string]> = [
  ['/', '/', ''],
  ['/files/a', '/files/a', ''],
  ['/files/a/', '/files/a/', ''],
  ['/files/a.b', '/files/a.b', ''],
  ['/files/...', '/files/...', ''],
  ['/files/..a', '/files/..a', ''],
  ['/files/a..b', '/files/a..b', ''],
  ['/files/.well-known', '/files/.well-known', ''],
  ['/files/a%20b', '/files/a%20b', ''],
  ['/files/caf%C3%A9', '/files/caf%C3%A9', ''],
  ['/files/%E2%84%AA', '/files/%E2%84%AA', ''],
  ['/files/a%3Fb%23c', '/files/a%3Fb%23c', ''],
  ['/files/a+b', '/files/a+b', ''],
  ["/files/!$&'()*+,=:@-._~", "/files/!$&'()*+,=:@-._~", ''],
  ['/files/a?x=1&y=%2e%2e/..;', '/files/a', '?x=1&y=%2e%2e/..;'],
  ['/files/a?', '/files/a', '?'],
  ['/files?next=//evil', '/files', '?next=//evil'],
];

describe('classifyRequestPath', () => {
  it.each(REFUSED_TARGETS)('refuses %j (%s)', (target, reason) => {
    expect(classifyRequestPath(target)).toEqual({ ok: false, reason, detail: PATH_REFUSAL_DETAIL[reason] });
  });

  it.each(ACCEPTED_TARGETS)('accepts %j', (target, pathname, search) => {
    expect(classifyRequestPath(target)).toEqual({ ok: true, pathname, search });
  });

  it('names every refusal with its own text, never echoing the path', () => {
    const reasons = new Set(REFUSED_TARGETS.map(([, reason]) => reason));
    expect([...reasons].sort()).toEqual(Object.keys(PATH_REFUSAL_DETAIL).sort());
    for (const [target] of REFUSED_TARGETS) {
      const verdict = classifyRequestPath(target);
      expect(verdict.ok).toBe(false);
      if (!verdict.ok && target.length > 4) expect(verdict.detail).not.toContain(target.slice(1));
    }
  });
});
