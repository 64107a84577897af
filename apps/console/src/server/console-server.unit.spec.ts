import { buildConsoleServer } from './console-server';

describe('the console’s HTTP edge', () => {
  const app = buildConsoleServer();
  afterAll(() => app.close());

  it('answers /healthz', async () => {
    const r = await app.inject({ method: 'GET', url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('sends every page with a CSP that forbids inline script and framing, never cached', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.body).toContain('<a class="button primary" href="/login">Sign in</a>');
  });

  it('serves its stylesheet from here, and links nothing from another origin', async () => {
    const css = await app.inject({ method: 'GET', url: '/assets/console.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('answers an unknown page in words on a page', async () => {
    const missing = await app.inject({ method: 'GET', url: '/no/such/page' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.body).toContain('There is no such page.');
  });
});
