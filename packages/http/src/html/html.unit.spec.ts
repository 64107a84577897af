import { escapeHtml, html, SafeHtml } from './html';
import { pageHeaders } from './page-headers';

describe('html (the one way pages build markup)', () => {
  it('escapes every interpolated value, in content and in quoted attributes', () => {
    const name = `<script>alert("x")</script>&'`;
    const out = html`<p title="${name}">${name}</p>`.value;
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    );
  });

  it('keeps nested templates and lists of them as markup, and drops null and undefined', () => {
    const items = ['a<b', 'c'].map((t) => html`<li>${t}</li>`);
    const none = [null, undefined];
    const list = html`<ul>
      ${items}${none}
    </ul>`;
    expect(list.value.replace(/>\s+</g, '><')).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(html`${3}`).toBeInstanceOf(SafeHtml);
    expect(String(html`<b>${0}</b>`)).toBe('<b>0</b>');
  });

  it('escapeHtml leaves ordinary text alone', () => {
    expect(escapeHtml('Orders app — read')).toBe('Orders app — read');
  });
});

describe('pageHeaders', () => {
  it('allow same-origin scripts only when asked, never inline ones', () => {
    expect(pageHeaders()['content-security-policy']).not.toContain('script-src');
    const csp = pageHeaders({ scripts: true })['content-security-policy'];
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
