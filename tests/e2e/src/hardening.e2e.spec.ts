import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { blockDatabase, kafkaBroker, readTopic, testKafka, unblockDatabase, waitFor } from '@latchkey/testing';
import { call, Platform } from './platform';

const STALENESS_SECONDS = 5;

/**
 * The hardening issue across real processes (each service from its build, its own database, the
 * real Kafka): who may manage whose tokens (1, 2), read-your-writes at every service (6), failing
 * closed without Kafka (7), and security reactions that survive database trouble (8).
 */
describe('hardening end to end (real services, Kafka, PostgreSQL)', () => {
  const platform = new Platform();
  const kafka: Kafka = testKafka('e2e-hardening');
  let admin = '';
  let directory = '';
  const identity = (p: string) => `${platform.url('identity-service')}${p}`;
  const tokens = (p: string) => `${platform.url('token-service')}${p}`;
  const registry = (p: string) => `${platform.url('application-registry')}${p}`;

  beforeAll(async () => {
    const fast = { STALENESS_LIMIT_SECONDS: String(STALENESS_SECONDS) };
    await platform.start(['identity-service', 'application-registry', 'token-service'], {
      'identity-service': fast,
      'application-registry': fast,
      'token-service': fast,
    });
    admin = await platform.bootstrapAdminToken();
    const me = await waitFor(
      async () => {
        const r = await call('GET', identity('/v1/me'), admin);
        return r.status === 200 ? r.body : null;
      },
      { what: 'identity-service to accept the admin token' },
    );
    directory = me.homeAccountId;
  }, 240_000);
  afterAll(async () => {
    kafkaBroker('up'); // whatever a failed test left behind
    await platform.stop();
  });

  /** A user registered at identity-service and, at once (no wait), a PAT for them made at token-service. */
  async function userWithToken(role: string, scopes: string[]): Promise<{ userId: string; id: string; token: string }> {
    const user = await call('POST', identity(`/v1/accounts/${directory}/users`), admin, {
      kind: 'human',
      email: `u-${randomUUID().slice(0, 12)}@e2e.example.com`,
      displayName: 'U',
      roles: [role],
    });
    expect(user.status).toBe(201);
    const pat = await call(
      'POST',
      tokens(`/v1/accounts/${directory}/users/${user.body.userId}/personal-access-tokens`),
      admin,
      { name: 'first', scopes, expiresInDays: 1 },
    );
    expect([pat.status, pat.body?.code]).toEqual([201, undefined]); // never a false 404 user_unknown
    return { userId: user.body.userId, id: pat.body.id, token: pat.body.token };
  }

  it('6: a user registered and given a token at once, 20 times: 201 every time, and the token works at identity-service and the registry on its first request', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { token } = await userWithToken('member', ['users:read', 'applications:read']);
      statuses.push((await call('GET', identity('/v1/me'), token)).status);
      statuses.push(
        (await call('GET', registry('/v1/applications'), token, undefined, { 'x-account-id': directory })).status,
      );
    }
    expect(statuses.filter((s) => s === 200).length).toBe(40);
  }, 120_000);

  it('6: 100 of 100 PATs are accepted by identity-service on the first request after the answer that created them', async () => {
    const results: number[] = [];
    for (let i = 0; i < 100; i++) {
      const created = await call('POST', tokens('/v1/personal-access-tokens'), admin, {
        name: `ryw-${randomUUID().slice(0, 8)}`,
        scopes: ['users:read'],
        accountIds: [directory],
        expiresInDays: 1,
      });
      expect(created.status).toBe(201);
      results.push((await call('GET', identity(`/v1/accounts/${directory}/users?limit=1`), created.body.token)).status);
    }
    const accepted = results.filter((s) => s === 200).length;
    console.log(`read-your-writes at identity-service: ${accepted} of 100 first requests accepted`);
    expect(accepted).toBe(100);
  }, 180_000);

  it('1: a read_only member can neither list nor revoke the account’s tokens; the administrator can', async () => {
    const reader = await userWithToken('read_only', [
      'orders:read',
      'personal_access_tokens:read',
      'personal_access_tokens:delete',
    ]);
    const victim = await call('POST', tokens('/v1/personal-access-tokens'), admin, {
      name: `admin-${randomUUID().slice(0, 8)}`,
      scopes: ['users:read'],
      accountIds: [directory],
      expiresInDays: 1,
    });
    expect(victim.status).toBe(201);
    const list = await call('GET', tokens(`/v1/accounts/${directory}/personal-access-tokens`), reader.token);
    const revoke = await call(
      'DELETE',
      tokens(`/v1/accounts/${directory}/personal-access-tokens/${victim.body.id}`),
      reader.token,
    );
    expect([list.status, revoke.status]).toEqual([403, 403]);
    expect((await call('GET', identity('/v1/me'), victim.body.token)).status).toBe(200); // still alive
    // their own tokens they manage with their own token
    expect((await call('GET', tokens('/v1/personal-access-tokens'), reader.token)).status).toBe(200);
    expect((await call('GET', tokens(`/v1/accounts/${directory}/personal-access-tokens`), admin)).status).toBe(200);
  }, 60_000);

  it('2: a token holding only personal_access_tokens:create cannot regenerate a broader PAT of its user (403, no new secret, the old one still works)', async () => {
    const broad = await call('POST', tokens('/v1/personal-access-tokens'), admin, {
      name: `broad-${randomUUID().slice(0, 8)}`,
      scopes: ['users:read', 'users:delete'],
      accountIds: [directory],
      expiresInDays: 1,
    });
    const narrow = await call('POST', tokens('/v1/personal-access-tokens'), admin, {
      name: `narrow-${randomUUID().slice(0, 8)}`,
      scopes: ['personal_access_tokens:create'],
      accountIds: [directory],
      expiresInDays: 1,
    });
    expect([broad.status, narrow.status]).toEqual([201, 201]);
    const attack = await call(
      'POST',
      tokens(`/v1/personal-access-tokens/${broad.body.id}/regenerate`),
      narrow.body.token,
    );
    expect(attack.status).toBe(403);
    expect(attack.text).not.toMatch(/lk_pat_[0-9A-Za-z]{20,}/);
    expect((await call('GET', identity('/v1/me'), broad.body.token)).status).toBe(200);
  }, 60_000);

  it('8: a deactivation while token-service’s database is unreachable for 8 s is applied once it is back: the grant is revoked, nothing in the DLQ', async () => {
    const dlqBefore = await dlqSize('identity.events.v1.dlq');
    const victim = await userWithToken('member', ['users:read']);
    const tokensDb = platform.app('token-service').db.name;
    await blockDatabase(tokensDb);
    try {
      const deactivated = await call(
        'POST',
        identity(`/v1/accounts/${directory}/users/${victim.userId}/deactivate`),
        admin,
        {
          reason: 'left while the token database was down',
        },
      );
      expect(deactivated.status).toBe(200);
      await new Promise((r) => setTimeout(r, 8_000)); // the old consumer dead-lettered after ~1.5 s
    } finally {
      await unblockDatabase(tokensDb);
    }
    const revoked = await readTopic(kafka, 'tokens.events.v1', (all) =>
      all.some((m) => isGrantRevoked(m.value, victim.id, 'user_deactivated')),
    );
    expect(revoked.some((m) => isGrantRevoked(m.value, victim.id, 'user_deactivated'))).toBe(true);
    expect(await dlqSize('identity.events.v1.dlq')).toBe(dlqBefore);
    expect((await call('GET', identity('/v1/me'), victim.token)).status).toBe(401);
  }, 120_000);

  it('7: with Kafka stopped, a PAT revoked at token-service stops working there at once and cannot mint; services go stale (503) past the limit and recover when Kafka is back', async () => {
    const ada = await userWithToken('member', [
      'users:read',
      'personal_access_tokens:create',
      'personal_access_tokens:read',
      'personal_access_tokens:delete',
    ]);
    expect((await call('GET', tokens('/v1/personal-access-tokens'), ada.token)).status).toBe(200);
    kafkaBroker('down');
    try {
      const started = Date.now();
      expect((await call('DELETE', tokens(`/v1/personal-access-tokens/${ada.id}`), ada.token)).status).toBe(204);
      const [list, mint] = await Promise.all([
        call('GET', tokens('/v1/personal-access-tokens'), ada.token),
        call('POST', tokens('/v1/personal-access-tokens'), ada.token, {
          name: 'after revocation',
          scopes: ['users:read'],
          accountIds: [directory],
        }),
      ]);
      expect(Date.now() - started).toBeLessThan(STALENESS_SECONDS * 1000); // decided before any staleness
      expect([list.status, mint.status]).toEqual([401, 401]);
      // identity-service cannot hear of the revocation without Kafka: past the limit it refuses to vouch
      await waitFor(async () => (await call('GET', identity('/v1/me'), admin)).status === 503, {
        timeoutMs: (STALENESS_SECONDS + 20) * 1000,
        intervalMs: 250,
        what: 'identity-service to fail closed',
      });
      expect((await call('GET', identity('/v1/me'), ada.token)).status).toBe(503);
    } finally {
      kafkaBroker('up');
    }
    await waitFor(async () => (await call('GET', identity('/v1/me'), admin)).status === 200, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'identity-service to vouch for tokens again once caught up',
    });
    // and it hears of the revocation made while Kafka was down (token-service's outbox drains
    // once Kafka is back): nothing committed was lost
    await waitFor(async () => (await call('GET', identity('/v1/me'), ada.token)).status === 401, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the revocation made while Kafka was down to reach identity-service',
    });
  }, 240_000);

  async function dlqSize(topic: string): Promise<number> {
    const adminClient = kafka.admin();
    await adminClient.connect();
    try {
      if (!(await adminClient.listTopics()).includes(topic)) return 0;
      return (await adminClient.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    } finally {
      await adminClient.disconnect();
    }
  }
});

function isGrantRevoked(value: unknown, grantId: string, reason: string): boolean {
  const e = value as { type?: string; data?: { grantId?: string; reason?: string } };
  return e?.type === 'GrantRevoked' && e.data?.grantId === grantId && e.data?.reason === reason;
}
