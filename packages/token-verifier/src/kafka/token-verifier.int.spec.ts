import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { EventProducer, ensureTopics } from '@latchkey/messaging';
import { deleteTestTopics, testKafka, uniqueTopic, waitFor } from '@latchkey/testing';
import { EventFactory } from '../testing/event-factory';
import { TokenVerifier } from './token-verifier';

describe('TokenVerifier fed from real Kafka', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  const topics = { tokens: '', identity: '', applications: '' };
  const verifiers: TokenVerifier[] = [];

  beforeAll(async () => {
    kafka = testKafka('verifier-test');
    topics.tokens = uniqueTopic('tokens');
    topics.identity = uniqueTopic('identity');
    topics.applications = uniqueTopic('applications');
    await ensureTopics(
      kafka,
      Object.values(topics).map((topic) => ({ topic, withDlq: false })),
    );
    producer = new EventProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(verifiers.map((v) => v.stop()));
    await producer.disconnect();
    await deleteTestTopics(kafka);
  });

  const publish = (topic: string, events: LatchkeyEvent[]) =>
    producer.publish(events.map((envelope) => ({ topic, envelope })));
  const startVerifier = async () => {
    const v = new TokenVerifier({
      kafka,
      topics: [topics.tokens, topics.identity, topics.applications],
      lagIntervalMs: 200,
    });
    verifiers.push(v);
    await v.start();
    return v;
  };

  it('replays 100,000 issued tokens from an empty start, is ready only when caught up, then answers every token correctly, and follows live revocations', async () => {
    const f = new EventFactory();
    const userId = randomUUID();
    await publish(topics.identity, [
      f.event('UserRegistered', userId, { userId, kind: 'api', displayName: 'Robot', accountIds: ['acct-1'] }),
      f.event('MembershipChanged', userId, {
        userId,
        accountId: 'acct-1',
        roles: ['api'],
        permissions: ['orders:read'],
      }),
    ]);
    const pats = Array.from({ length: 100_000 }, () => f.pat(userId, { scopes: ['orders:read', 'orders:delete'] }));
    for (let i = 0; i < pats.length; i += 5000)
      await publish(
        topics.tokens,
        pats.slice(i, i + 5000).map((p) => p.issued),
      );

    const started = Date.now();
    const verifier = await startVerifier();
    expect(verifier.isReady).toBe(verifier.stats().liveTokens === 100_000); // not ready before the last event
    await verifier.ready();
    const replayMs = Date.now() - started;
    expect(verifier.stats().liveTokens).toBe(100_000);
    expect(Object.values(verifier.stats().lag).every((l) => l === 0)).toBe(true);
    expect(verifier.stats().lastEventAppliedAt).not.toBeNull();
    for (const p of pats) {
      const r = verifier.verify(p.token, { account: 'acct-1' });
      if (!r.active || r.tokenId !== p.tokenId || r.effectiveScopes.join() !== 'orders:read')
        throw new Error(`wrong answer for ${p.tokenId}: ${JSON.stringify(r)}`);
    }
    console.log(`replayed 100,002 events in ${replayMs} ms (${Math.round(100_002 / (replayMs / 1000))} events/s)`);

    // live: revoke one grant, deactivate the user
    const victim = pats[42];
    await publish(topics.tokens, [
      f.event('GrantRevoked', victim.grantId, {
        grantId: victim.grantId,
        userId,
        reason: 'revoked',
        revokedAt: new Date().toISOString(),
      }),
    ]);
    await waitFor(() => !verifier.verify(victim.token).active, { what: 'the revoked grant to be refused' });
    expect(verifier.verify(victim.token)).toEqual({ active: false, reason: 'grant_revoked' });
    expect(verifier.verify(pats[43].token).active).toBe(true);

    await publish(topics.identity, [f.event('UserDeactivated', userId, { userId, reason: 'rotated out' })]);
    await waitFor(() => !verifier.verify(pats[43].token).active, {
      what: 'the deactivated user’s token to be refused',
    });
    expect(verifier.verify(pats[43].token)).toEqual({ active: false, reason: 'user_deactivated' });
  }, 240_000);

  it('reports lag per partition: the whole backlog at start, shrinking during replay, 0 once caught up; high-water marks refreshed while running', async () => {
    // topics of its own, so the backlog is known exactly
    const own = {
      tokens: uniqueTopic('lag-tokens'),
      identity: uniqueTopic('lag-identity'),
      applications: uniqueTopic('lag-apps'),
    };
    await ensureTopics(
      kafka,
      Object.values(own).map((topic) => ({ topic, withDlq: false })),
    );
    const f = new EventFactory();
    const userId = randomUUID();
    const backlog = 20_000;
    const pats = Array.from({ length: backlog }, () => f.pat(userId));
    for (let i = 0; i < backlog; i += 5000)
      await publish(
        own.tokens,
        pats.slice(i, i + 5000).map((p) => p.issued),
      );

    const verifier = new TokenVerifier({
      kafka,
      topics: [own.tokens, own.identity, own.applications],
      lagIntervalMs: 100,
    });
    verifiers.push(verifier);
    await verifier.start();
    const total = () => Object.values(verifier.stats().lag).reduce((a, b) => a + b, 0);
    const seen: number[] = [total()];
    while (!verifier.isReady) {
      seen.push(total());
      await new Promise((r) => setTimeout(r, 2));
    }
    const keys = Object.keys(verifier.stats().lag);
    expect(keys).toHaveLength(18); // 3 topics × 6 partitions, empty ones included
    expect(keys).toEqual(expect.arrayContaining([`${own.tokens}:0`, `${own.identity}:5`, `${own.applications}:3`]));
    expect(seen[0]).toBe(backlog); // nothing applied yet: the whole backlog
    expect(seen.some((l) => l > 0 && l < backlog)).toBe(true); // seen shrinking on the way
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThanOrEqual(seen[i - 1]); // never growing during replay
    expect(total()).toBe(0);

    const marks = () =>
      Object.entries(verifier.stats().offsets)
        .filter(([k]) => k.startsWith(own.tokens))
        .reduce((a, [, o]) => a + o.highWaterMark, 0);
    expect(marks()).toBe(backlog);
    await publish(
      own.tokens,
      Array.from({ length: 300 }, () => f.pat(userId).issued),
    );
    await waitFor(() => marks() === backlog + 300, { what: 'high-water marks refreshed by the lag timer' });
    await waitFor(() => total() === 0, { what: 'lag back to 0' });
    expect(verifier.stats().liveTokens).toBe(backlog + 300);
  }, 120_000);

  it('an application disabled through its topic makes its tokens inactive', async () => {
    const f = new EventFactory();
    const userId = randomUUID();
    const clientId = randomUUID();
    const at = f.accessToken(userId, clientId);
    await publish(topics.identity, [
      f.event('UserRegistered', userId, { userId, kind: 'human', displayName: 'Ada', accountIds: ['acct-1'] }),
    ]);
    await publish(topics.tokens, [at.issued]);
    const verifier = await startVerifier();
    await verifier.ready();
    expect(verifier.verify(at.token).active).toBe(true);
    await publish(topics.applications, [f.event('ApplicationDisabled', clientId, { clientId, reason: 'compromised' })]);
    await waitFor(() => !verifier.verify(at.token).active, { what: 'the disabled application’s token to be refused' });
    expect(verifier.verify(at.token)).toEqual({ active: false, reason: 'application_disabled' });
  }, 120_000);
});
