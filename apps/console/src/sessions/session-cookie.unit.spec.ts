import { SessionCookie } from './session-cookie';

describe('SessionCookie', () => {
  const id = 'a'.repeat(43);

  it('over http: lk_console, HttpOnly, SameSite=Lax, Path=/, not Secure', () => {
    const c = new SessionCookie('http://127.0.0.1:3000');
    expect(c.set(id)).toBe(`lk_console=${id}; Path=/; HttpOnly; SameSite=Lax`);
    expect(c.clear()).toBe('lk_console=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
  });

  it('over https: the __Host- prefix and Secure', () => {
    const c = new SessionCookie('https://console.example.com');
    expect(c.set(id)).toBe(`__Host-lk_console=${id}; Path=/; HttpOnly; SameSite=Lax; Secure`);
    expect(c.read(`other=1; __Host-lk_console=${id}`)).toBe(id);
  });

  it('reads its own cookie only, and only a well-formed id', () => {
    const c = new SessionCookie('http://127.0.0.1:3000');
    expect(c.read(`x=1; lk_console=${id}; y=2`)).toBe(id);
    expect(c.read(undefined)).toBeNull();
    expect(c.read('lk_console_other=abc')).toBeNull();
    expect(c.read('lk_console=short')).toBeNull();
    expect(c.read(`lk_console=${'a'.repeat(30)}<script>`)).toBeNull();
  });
});
