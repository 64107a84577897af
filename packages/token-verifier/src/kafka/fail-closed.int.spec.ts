import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { EventProducer, ensureTopics, envelopeHeaders } from '@latchkey/messaging';
import { deleteTestTopics, testKafka, uniqueTopic, waitFor } from '@latchkey/testing';
import { EventFactory } from '../testing/event-factory';
import { TokenVerifier } from './token-verifier';

/**
 * A verifier never fails open: an event it cannot read (a TokenRevoked of a newer schemaVersion,
 * published by a newer token-service) stops its partition and makes the verifier stale, so every
 * bearer route answers 503 instead of accepting a token that may have been revoked.
 */
describe('TokenVerifier fails closed on an event it cannot apply (real Kafka)', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  let raw: Producer;
  const topics = {
    tokens: uniqueTopic('fc-tokens'),
    identity: uniqueTopic('fc-identity'),
    applications: uniqueTopic('fc-apps'),
  };
  let verifier: TokenVerifier | null = null;

  beforeAll(async () => {
    kafka = testKafka('verifier-fail-closed-test');
    await ensureTopics(
      kafka,
      Object.values(topics).map((topic) => ({ topic, withDlq: true })),
    );
    producer = new EventProducer(kafka);
    await producer.connect();
    raw = kafka.producer();
    await raw.connect();
  });
  afterAll(async () => {
    await verifier?.stop();
    await producer.disconnect();
    await raw.disconnect();
    await deleteTestTopics(kafka);
  });

  const publish = (topic: string, events: LatchkeyEvent[]) =>
    producer.publish(events.map((envelope) => ({ topic, envelope })));

  it('a TokenRevoked of a newer schemaVersion blocks its partition: stale (fail closed), not skipped, not dead-lettered', async () => {
    const f = new EventFactory();
    const userId = randomUUID();
    const pat = f.pat(userId);
    await publish(topics.identity, [
      f.event('UserRegistered', userId, { userId, kind: 'human', displayName: 'Ada', accountIds: ['acct-1'] }),
      f.event('MembershipChanged', userId, {
        userId,
        accountId: 'acct-1',
        roles: ['member'],
        permissions: ['orders:read', 'orders:update'],
      }),
    ]);
    await publish(topics.tokens, [pat.issued]);
    const blocked: string[] = [];
    verifier = new TokenVerifier({
      kafka,
      topics: [topics.tokens, topics.identity, topics.applications],
      lagIntervalMs: 200,
      onPartitionBlocked: (info) => blocked.push(info.reason),
    });
    await verifier.start();
    await verifier.ready();
    expect(verifier.verify(pat.token).active).toBe(true);
    expect(verifier.isStale()).toBe(false);

    // what a newer token-service would publish: a revocation this verifier cannot read
    const future = {
      ...f.event('TokenRevoked', pat.grantId, { tokenId: pat.tokenId, grantId: pat.grantId, reason: 'user_request' }),
      schemaVersion: 99,
    };
    await raw.send({
      topic: topics.tokens,
      messages: [
        {
          key: pat.grantId,
          value: JSON.stringify(future),
          headers: envelopeHeaders(future as LatchkeyEvent) as Record<string, string>,
        },
      ],
    });
    await waitFor(() => verifier!.isStale(), { what: 'the verifier to go stale on the unreadable revocation' });
    expect(blocked).toContain('unsupported-version');
    expect(verifier.stats().blocked).toEqual([
      expect.objectContaining({ partition: expect.stringContaining(topics.tokens), reason: 'unsupported-version' }),
    ]);
    // it stays stale (a bearer route answers 503), whatever else arrives meanwhile
    await publish(topics.tokens, [f.pat(userId).issued]);
    await new Promise((r) => setTimeout(r, 500));
    expect(verifier.isStale()).toBe(true);
    // and nothing went to the DLQ: the event was neither skipped nor dead-lettered
    const admin = kafka.admin();
    await admin.connect();
    try {
      const dlq = await admin.fetchTopicOffsets(`${topics.tokens}.dlq`);
      expect(dlq.reduce((n, p) => n + Number(p.high), 0)).toBe(0);
    } finally {
      await admin.disconnect();
    }
  }, 60_000);
});

describe('TokenVerifier read-your-writes without token-service (real Kafka)', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  const topics = {
    tokens: uniqueTopic('ryw-tokens'),
    identity: uniqueTopic('ryw-identity'),
    applications: uniqueTopic('ryw-apps'),
  };
  let verifier: TokenVerifier | null = null;

  beforeAll(async () => {
    kafka = testKafka('verifier-ryw-test');
    await ensureTopics(
      kafka,
      Object.values(topics).map((topic) => ({ topic, withDlq: false })),
    );
    producer = new EventProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await verifier?.stop();
    await producer.disconnect();
    await deleteTestTopics(kafka);
  });

  it('a token used before its TokenIssued arrived is accepted once it does, within the wait, and no fallback is asked', async () => {
    const f = new EventFactory();
    const userId = randomUUID();
    await producer.publish(
      [
        f.event('UserRegistered', userId, { userId, kind: 'human', displayName: 'Ada', accountIds: ['acct-1'] }),
        f.event('MembershipChanged', userId, {
          userId,
          accountId: 'acct-1',
          roles: ['member'],
          permissions: ['orders:read'],
        }),
      ].map((envelope) => ({ topic: topics.identity, envelope })),
    );
    let asked = 0;
    const { MissFallback } = await import('../fallback/miss-fallback');
    verifier = new TokenVerifier({
      kafka,
      topics: [topics.tokens, topics.identity, topics.applications],
      awaitIssueMs: 5_000,
      missFallback: new MissFallback({
        introspect: async () => {
          asked++;
          return { active: false };
        },
      }),
    });
    await verifier.start();
    await verifier.ready();
    const results = [];
    for (let i = 0; i < 20; i++) {
      const pat = f.pat(userId, { scopes: ['orders:read'] });
      const pending = verifier.verifyWithFallback(pat.token, { account: 'acct-1' }); // before it is published
      await producer.publish([{ topic: topics.tokens, envelope: pat.issued }]);
      results.push(await pending);
    }
    expect(results.every((r) => r.active)).toBe(true);
    expect(asked).toBe(0);
    // a token that never comes waits out the bound, then asks the fallback once
    const started = Date.now();
    verifier = verifier!;
    expect(await verifier.verifyWithFallback(f.pat(userId).token)).toEqual({ active: false, reason: 'unknown' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(asked).toBe(1);
  }, 60_000);
});
