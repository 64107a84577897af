import { cursorParam, field, fields, parseForm, safeReturnPath } from './forms';

describe('forms', () => {
  it('keeps every value of a field posted many times, and trims single values', () => {
    const form = parseForm('scope=orders%3Aread&scope=orders%3Aupdate&name=+CI+token+&csrf=x');
    expect(fields(form, 'scope')).toEqual(['orders:read', 'orders:update']);
    expect(field(form, 'name')).toBe('CI token');
    expect(field(form, 'missing')).toBe('');
    expect(fields(form, 'missing')).toEqual([]);
  });

  it('returns only to a path on this site', () => {
    expect(safeReturnPath('/tokens?status=active')).toBe('/tokens?status=active');
    for (const bad of [
      '/\u2026',
      '/é',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'tokens',
      '',
      undefined,
      42,
      '/a b',
    ])
      expect(safeReturnPath(bad)).toBe('/');
  });
});

describe('cursorParam', () => {
  it('takes a keyset cursor from the query and nothing that could break the API call it is put into', () => {
    expect(cursorParam({ query: { after: 'eyJ0IjoiMjAyNiJ9' } })).toBe('eyJ0IjoiMjAyNiJ9');
    for (const bad of ['a&limit=1000', '../x', '', 'x'.repeat(501), 42, undefined])
      expect(cursorParam({ query: { after: bad } })).toBeNull();
    expect(cursorParam({ query: undefined })).toBeNull();
  });
});
