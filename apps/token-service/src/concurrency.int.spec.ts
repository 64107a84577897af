import { randomUUID } from 'node:crypto';
import { TokenHarness } from './testing/token-harness';

const PERMISSIONS = [
  'orders:read',
  'personal_access_tokens:create',
  'personal_access_tokens:read',
  'personal_access_tokens:delete',
];

/**
 * One concurrency strategy for every command (the event store's CommandRunner locks the stream
 * before loading it): concurrent commands on one aggregate queue, never answer 5xx.
 */
describe('token-service under concurrent commands on one PAT (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  let owner: string;

  beforeAll(async () => {
    await h.startService();
    const userId = await h.user('human', { [account]: PERMISSIONS });
    owner = await h.tokenFor(userId, [account], PERMISSIONS);
  }, 120_000);
  afterAll(() => h.stopService());

  const createPat = async (name: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/personal-access-tokens',
      headers: auth(owner),
      payload: { accountIds: [account], name, scopes: ['orders:read'] },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; token: string };
  };
  const regenerate = (id: string) =>
    h.app.inject({ method: 'POST', url: `/v1/personal-access-tokens/${id}/regenerate`, headers: auth(owner) });
  const revoke = (id: string) =>
    h.app.inject({ method: 'DELETE', url: `/v1/personal-access-tokens/${id}`, headers: auth(owner) });

  /** The grant's stream: versions, and the tokens issued and not revoked. */
  async function stream(grantId: string) {
    const events = (await h.ctx.runtime.dataSource.query(
      'SELECT version, type, data FROM events WHERE stream_id = $1 ORDER BY version',
      [grantId],
    )) as Array<{ version: number; type: string; data: { tokenId?: string } }>;
    const revoked = new Set(events.filter((e) => e.type === 'TokenRevoked').map((e) => e.data.tokenId));
    const live = events.filter((e) => e.type === 'TokenIssued' && !revoked.has(e.data.tokenId));
    return { events, versions: events.map((e) => e.version), live };
  }

  it('32 concurrent regenerations of one PAT all succeed (no 5xx), with gap-free versions and exactly one live token', async () => {
    const pat = await createPat('regenerated');
    const answers = await Promise.all(Array.from({ length: 32 }, () => regenerate(pat.id)));
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(32).fill(201));

    const { events, versions, live } = await stream(pat.id);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'TokenIssued')).toHaveLength(33);
    expect(live).toHaveLength(1);
    expect(live[0].version).toBe(versions[versions.length - 1]); // the last regeneration's token
    await h.waitForOwnEvents();
    const secrets = [pat.token, ...answers.map((a) => a.json().token as string)];
    expect(secrets.filter((s) => h.ctx.runtime.verifier.verify(s).active)).toHaveLength(1);
  }, 60_000);

  it('32 concurrent regenerations and revocations of one PAT: no 5xx, gap-free versions, revoked once, no live token', async () => {
    const pat = await createPat('revoked');
    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) => (i % 4 === 3 ? revoke(pat.id) : regenerate(pat.id))),
    );
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    // revoking is idempotent (204); a regeneration after the revocation is refused with a 4xx
    answers.forEach((a, i) =>
      expect(
        i % 4 === 3 ? a.statusCode === 204 : a.statusCode === 201 || (a.statusCode >= 400 && a.statusCode < 500),
      ).toBe(true),
    );

    const { events, versions, live } = await stream(pat.id);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'GrantRevoked')).toHaveLength(1);
    expect(events[events.length - 1].type).toBe('GrantRevoked');
    expect(live).toEqual([]);
    // every regeneration that succeeded came before the revocation
    const issued = answers.filter((a) => a.statusCode === 201).length;
    expect(events.filter((e) => e.type === 'TokenIssued')).toHaveLength(1 + issued);
  }, 60_000);
});
