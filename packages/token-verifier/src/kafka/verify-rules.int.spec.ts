import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { EventProducer, ensureTopics } from '@latchkey/messaging';
import { generateSecret } from '@latchkey/token-format';
import { deleteTestTopics, testKafka, uniqueTopic, waitFor } from '@latchkey/testing';
import { EventFactory } from '../testing/event-factory';
import { TokenVerifier } from './token-verifier';

/**
 * the verification rule, rule by rule, with every event going through packages/messaging and real Kafka
 * (the same rules have pure unit tests in verify.unit.spec.ts).
 */
describe('the verification rules through Kafka', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  let verifier: TokenVerifier;
  const f = new EventFactory();
  const topics = {
    tokens: uniqueTopic('rules-tokens'),
    identity: uniqueTopic('rules-identity'),
    applications: uniqueTopic('rules-apps'),
  };

  beforeAll(async () => {
    kafka = testKafka('verifier-rules');
    await ensureTopics(
      kafka,
      Object.values(topics).map((topic) => ({ topic, withDlq: false })),
    );
    producer = new EventProducer(kafka);
    await producer.connect();
    verifier = new TokenVerifier({ kafka, topics: Object.values(topics) });
    await verifier.start();
    await verifier.ready();
  });
  afterAll(async () => {
    await verifier.stop();
    await producer.disconnect();
    await deleteTestTopics(kafka);
  });

  const topicOf = (e: LatchkeyEvent) =>
    e.type.startsWith('Token') || e.type.startsWith('Grant')
      ? topics.tokens
      : e.type.startsWith('Application')
        ? topics.applications
        : topics.identity;
  const publish = (...events: LatchkeyEvent[]) =>
    producer.publish(events.map((envelope) => ({ topic: topicOf(envelope), envelope })));

  async function user(permissions = ['orders:read', 'orders:update']) {
    const userId = randomUUID();
    await publish(
      f.event('UserRegistered', userId, {
        userId,
        kind: 'human',
        email: `${userId.slice(0, 8)}@example.com`,
        displayName: 'U',
        accountIds: ['acct-1'],
      }),
      f.event('MembershipChanged', userId, { userId, accountId: 'acct-1', roles: ['member'], permissions }),
    );
    return userId;
  }

  /** Waits until the verifier's answer for `token` matches `expected` (events are applied asynchronously). */
  const expectAnswer = async (token: string, expected: Record<string, unknown>, options = {}) => {
    await waitFor(
      () => {
        const r = verifier.verify(token, options) as unknown as Record<string, unknown>;
        return Object.entries(expected).every(([k, v]) => JSON.stringify(r[k]) === JSON.stringify(v));
      },
      { timeoutMs: 15_000, what: `answer ${JSON.stringify(expected)}` },
    );
  };

  it('a live token is active with token scopes ∩ permissions; removing a permission shrinks them at once', async () => {
    const userId = await user();
    const pat = f.pat(userId);
    await publish(pat.issued);
    await expectAnswer(
      pat.token,
      { active: true, effectiveScopes: ['orders:read', 'orders:update'] },
      { account: 'acct-1' },
    );
    await publish(
      f.event('MembershipChanged', userId, {
        userId,
        accountId: 'acct-1',
        roles: ['read-only'],
        permissions: ['orders:read'],
      }),
    );
    await expectAnswer(pat.token, { active: true, effectiveScopes: ['orders:read'] }, { account: 'acct-1' });
  });

  it('unknown and bad checksum', async () => {
    expect(verifier.verify(generateSecret('pat'))).toEqual({ active: false, reason: 'unknown' });
    const userId = await user();
    const pat = f.pat(userId);
    await publish(pat.issued);
    await expectAnswer(pat.token, { active: true });
    const flipped = pat.token.slice(0, 20) + (pat.token[20] === 'x' ? 'y' : 'x') + pat.token.slice(21);
    expect(verifier.verify(flipped)).toEqual({ active: false, reason: 'bad_checksum' });
  });

  it('expired', async () => {
    const userId = await user();
    const pat = f.pat(userId, { expiresAt: new Date(Date.now() + 1500).toISOString() });
    await publish(pat.issued);
    await expectAnswer(pat.token, { active: true });
    await expectAnswer(pat.token, { active: false, reason: 'expired' });
  });

  it('token revoked, and grant revoked', async () => {
    const userId = await user();
    const a = f.pat(userId);
    const b = f.pat(userId);
    await publish(a.issued, b.issued);
    await expectAnswer(b.token, { active: true });
    await publish(
      f.event('TokenRevoked', a.grantId, { tokenId: a.tokenId, grantId: a.grantId, reason: 'regenerated' }),
      f.event('GrantRevoked', b.grantId, {
        grantId: b.grantId,
        userId,
        reason: 'revoked',
        revokedAt: new Date().toISOString(),
      }),
    );
    await expectAnswer(a.token, { active: false, reason: 'token_revoked' });
    await expectAnswer(b.token, { active: false, reason: 'grant_revoked' });
  });

  it('user deactivated; reactivated user does not get back a grant revoked meanwhile', async () => {
    const userId = await user();
    const a = f.pat(userId);
    const b = f.pat(userId);
    await publish(a.issued, b.issued);
    await expectAnswer(a.token, { active: true });
    await publish(f.event('UserDeactivated', userId, { userId, reason: 'suspended' }));
    await expectAnswer(a.token, { active: false, reason: 'user_deactivated' });
    await publish(
      f.event('GrantRevoked', a.grantId, {
        grantId: a.grantId,
        userId,
        reason: 'user deactivated',
        revokedAt: new Date().toISOString(),
      }),
      f.event('UserReactivated', userId, { userId }),
    );
    await expectAnswer(b.token, { active: true });
    expect(verifier.verify(a.token)).toEqual({ active: false, reason: 'grant_revoked' });
  });

  it('application disabled', async () => {
    const userId = await user();
    const clientId = randomUUID();
    const at = f.accessToken(userId, clientId);
    await publish(at.issued);
    await expectAnswer(at.token, { active: true });
    await publish(f.event('ApplicationDisabled', clientId, { clientId }));
    await expectAnswer(at.token, { active: false, reason: 'application_disabled' });
  });

  it('account not in the token', async () => {
    const userId = await user();
    const pat = f.pat(userId);
    await publish(pat.issued);
    await expectAnswer(pat.token, { active: true });
    expect(verifier.verify(pat.token, { account: 'acct-9' })).toEqual({ active: false, reason: 'account_not_allowed' });
  });

  it('the same events delivered twice give the same answers', async () => {
    const userId = await user();
    const pat = f.pat(userId);
    const narrowed = f.event('MembershipChanged', userId, {
      userId,
      accountId: 'acct-1',
      roles: ['read-only'],
      permissions: ['orders:read'],
    });
    await publish(pat.issued, narrowed);
    await expectAnswer(pat.token, { active: true, effectiveScopes: ['orders:read'] }, { account: 'acct-1' });
    await publish(pat.issued, narrowed);
    await verifier.catchUp(); // the duplicates are applied
    expect(verifier.verify(pat.token, { account: 'acct-1' })).toMatchObject({
      active: true,
      effectiveScopes: ['orders:read'],
    });
  });
});
