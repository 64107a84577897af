import { hashSecret } from './token-format';
import { secretMatchesHashes } from './secret-hashes';

describe('secretMatchesHashes', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const hashes = {
    currentHash: hashSecret('new-secret'),
    previousHash: hashSecret('old-secret'),
    previousValidUntil: '2026-12-01T13:00:00Z',
  };

  it('accepts the current secret', () => {
    expect(secretMatchesHashes('new-secret', hashes, now)).toBe(true);
  });

  it('accepts the previous secret only until its overlap ends', () => {
    expect(secretMatchesHashes('old-secret', hashes, now)).toBe(true);
    expect(secretMatchesHashes('old-secret', hashes, new Date('2026-12-01T13:00:00Z'))).toBe(false);
    expect(secretMatchesHashes('old-secret', { ...hashes, previousValidUntil: null }, now)).toBe(false);
  });

  it('refuses anything else, empty and non-strings included', () => {
    for (const bad of ['', 'new-secret ', hashes.currentHash, null, undefined, 42, ['new-secret']])
      expect(secretMatchesHashes(bad, hashes, now)).toBe(false);
    expect(secretMatchesHashes('old-secret', { ...hashes, previousHash: null }, now)).toBe(false);
  });
});
