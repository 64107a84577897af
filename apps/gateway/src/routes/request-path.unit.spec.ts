import { ACCEPTED_TARGETS, REFUSED_TARGETS } from './request-path.cases';
import { classifyRequestPath, PATH_REFUSAL_DETAIL } from './request-path';

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
