import { escapeHtml, html, pageHeaders } from '@latchkey/http';

import { consentPage, errorPage, loginPage } from './pages';
import { scopeInWords } from '@latchkey/contracts';

const EVIL = '<script>alert(1)</script>"\' onload="x';

describe('the authorization server’s pages', () => {
  it('escape every value they show, so an application name cannot become markup', () => {
    expect(escapeHtml(EVIL)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39; onload=&quot;x');
    expect(html`<p>${EVIL}</p>`.value).not.toContain('<script>');
    const pages = [
      loginPage({ applicationName: EVIL, action: '/oauth/interaction/i/login', csrf: EVIL, email: EVIL, error: EVIL }),
      consentPage({
        applicationName: EVIL,
        ownerName: EVIL,
        scopes: ['orders:read'],
        accounts: [{ id: EVIL, name: EVIL }],
        action: '/x',
        csrf: 'c',
        userEmail: EVIL,
      }),
      errorPage(EVIL, EVIL),
    ];
    for (const p of pages) {
      expect(p).not.toContain('<script');
      expect(p).not.toContain('" onload="x');
      expect(p).not.toMatch(/\sstyle=/); // no inline styles either: the CSP allows only the stylesheet
    }
  });

  it('the consent page shows the scopes in words and has exactly the buttons Allow and Deny', () => {
    const p = consentPage({
      applicationName: 'Reports',
      ownerName: 'Acme',
      scopes: ['orders:read', 'personal_access_tokens:delete'],
      accounts: [{ id: 'a1', name: 'Acme' }],
      action: '/oauth/interaction/i/consent',
      csrf: 'tok',
      userEmail: 'ada@example.com',
    });
    expect(p).toContain('Read orders');
    expect(p).toContain('Delete personal access tokens');
    expect([...p.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1])).toEqual(['Deny', 'Allow']);
    expect(p).toContain('name="csrf" value="tok"');
    expect(p).toContain('checked'); // the only account is preselected
  });

  it('the login page posts e-mail, password and the CSRF token, and never echoes a password', () => {
    const p = loginPage({
      applicationName: 'Reports',
      action: '/oauth/interaction/i/login',
      csrf: 'tok',
      email: 'a@b.c',
    });
    expect(p).toContain('method="post" action="/oauth/interaction/i/login"');
    expect(p).toContain('name="password" type="password"');
    expect(p).not.toMatch(/name="password"[^>]*value=/);
    expect(p).toContain('value="a@b.c"');
  });

  it('describes scopes in words', () => {
    expect(scopeInWords('orders:update')).toBe('Change orders');
    expect(scopeInWords('users:*')).toBe('Do everything with users');
    expect(scopeInWords('odd')).toBe('odd');
  });

  it('send headers that forbid framing, script and referrers, and allow the form to go only here (and to the client after consent)', () => {
    const headers = pageHeaders({ formTargets: ['https://app.example/cb?x=1'] });
    expect(headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; form-action 'self' https://app.example; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(headers).toMatchObject({
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(Object.keys(headers).some((h) => h.startsWith('access-control-'))).toBe(false);
    expect(pageHeaders()['content-security-policy']).toContain("form-action 'self';");
  });
});
