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
