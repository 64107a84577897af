import { randomUUID } from 'node:crypto';
import { captureOutput, waitFor } from '@latchkey/testing';
import { TokenHarness } from '../testing/token-harness';
import { runCli, type CliIo, type CliOverrides } from './latchkey';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('latchkey CLI (real PostgreSQL + Kafka, against a running token-service)', () => {
  const h = new TokenHarness();
  const acme = randomUUID();
  const globex = randomUUID();
  let aliceId: string;
  let alice: string;

  beforeAll(async () => {
    await h.startService();
    aliceId = await h.user('human', {
      [acme]: ['users:read', 'users:update', 'accounts:read'],
      [globex]: ['users:read', 'accounts:read'],
    });
    alice = `${aliceId}@example.com`;
  }, 120_000);
  afterAll(() => h.stopService(), 60_000);

  async function cli(...argv: string[]): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
    const overrides: CliOverrides = { context: { kafka: h.kafka, topics: { ...h.topics, usage: h.usageTopic } } };
    const code = await runCli(argv, { DATABASE_URL: h.db.url }, io, overrides);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  async function grantCreatedOf(grantId: string) {
    const stored = await h.ctx.runtime.store.loadStored(grantId);
    const created = stored.find((s) => s.envelope.type === 'GrantCreated');
    return {
      data: created?.envelope.data as { createdBy: string; scopes: string[]; accountIds: string[] },
      actor: created?.metadata.actor,
    };
  }

  it('creates a PAT for a user by email: the token alone on stdout, accepted by the running service, created by the operator', async () => {
    const output = captureOutput();
    let run: Run;
    try {
      run = await cli(
        'pat',
        'create',
        '--user',
        alice,
        '--name',
        'bootstrap',
        '--scopes',
        'users:read,users:update',
        '--account',
        acme,
        '--expires-in-days',
        '7',
        '--description',
        'first API client',
      );
    } finally {
      output.restore();
    }
    expect(run.stderr).not.toMatch(/refused|failed/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^lk_pat_\S+\n$/);
    const token = run.stdout.trim();
    expect(run.stderr).not.toContain(token);
    expect(output.lines.join('\n')).not.toContain(token); // no log line anywhere carries it

    await h.waitForOwnEvents();
    const verified = h.ctx.runtime.verifier.verify(token, { account: acme });
    expect(verified).toMatchObject({ active: true, subject: aliceId, subjectKind: 'human' });
    expect(verified.active && [...verified.effectiveScopes].sort()).toEqual(['users:read', 'users:update']);

    const [pat] = await h.ctx.queries.patsOf(aliceId, 10, null);
    expect(pat).toMatchObject({
      name: 'bootstrap',
      description: 'first API client',
      accountIds: [acme],
      status: 'active',
    });
    expect(pat.createdBy).toMatch(/^operator:[^@\s]+@\S+$/);
    expect(Date.parse(pat.expiresAt!) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(Date.parse(pat.expiresAt!) - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect(run.stderr).toContain(pat.id);
    expect(run.stderr).toContain(alice);

    const created = await grantCreatedOf(pat.id);
    expect(created.data.createdBy).toBe(pat.createdBy);
    expect(created.actor).toBe(pat.createdBy);
  });

  it('--all-accounts --scopes all --no-expiry by user id: the permissions held in every account, in all of them', async () => {
    const run = await cli(
      'pat',
      'create',
      '--user',
      aliceId,
      '--name',
      'everything',
      '--scopes',
      'all',
      '--all-accounts',
      '--no-expiry',
    );
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    await h.waitForOwnEvents();
    for (const account of [acme, globex]) {
      const verified = h.ctx.runtime.verifier.verify(token, { account });
      expect(verified.active && [...verified.effectiveScopes].sort()).toEqual(['accounts:read', 'users:read']);
    }
    const pat = (await h.ctx.queries.patsOf(aliceId, 10, null)).find((p) => p.name === 'everything')!;
    expect(pat).toMatchObject({
      accountIds: [acme, globex].sort(),
      scopes: ['accounts:read', 'users:read'],
      expiresAt: null,
    });
    expect(run.stderr).toContain('expires:  never');
  });

  it('creates for an api user too (the operator administers the accounts)', async () => {
    const botId = await h.user('api', { [acme]: ['users:read'] });
    const run = await cli(
      'pat',
      'create',
      '--user',
      botId,
      '--name',
      'bot',
      '--scopes',
      'users:read',
      '--account',
      acme,
    );
    expect(run.code).toBe(0);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(run.stdout.trim(), { account: acme })).toMatchObject({
      active: true,
      subjectKind: 'api',
    });
  });

  it('refuses what the decider refuses, with exit code 1, a one-line message with the code, and nothing on stdout', async () => {
    const unknown = await cli(
      'pat',
      'create',
      '--user',
      'nobody@example.com',
      '--name',
      'x',
      '--scopes',
      'users:read',
      '--all-accounts',
    );
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(
      /^latchkey: refused \(USER_UNKNOWN\): no user with email nobody@example.com is known to token-service .*\n$/,
    );
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);

    const notHeld = await cli(
      'pat',
      'create',
      '--user',
      alice,
      '--name',
      'greedy',
      '--scopes',
      'users:delete',
      '--account',
      acme,
    );
    expect(notHeld).toMatchObject({ code: 1, stdout: '' });
    expect(notHeld.stderr).toMatch(
      /^latchkey: refused \(SCOPE_NOT_HELD\): the user does not hold "users:delete" in account/,
    );

    const otherAccount = await cli(
      'pat',
      'create',
      '--user',
      alice,
      '--name',
      'elsewhere',
      '--scopes',
      'users:read',
      '--account',
      randomUUID(),
    );
    expect(otherAccount.stderr).toMatch(/ACCOUNT_NOT_HELD/);

    const taken = await cli(
      'pat',
      'create',
      '--user',
      alice,
      '--name',
      'bootstrap',
      '--scopes',
      'users:read',
      '--account',
      acme,
    );
    expect(taken).toMatchObject({ code: 1, stdout: '' });
    expect(taken.stderr).toMatch(/NAME_TAKEN/);
    expect((await h.ctx.queries.patsOf(aliceId, 10, null)).map((p) => p.name).sort()).toEqual([
      'bootstrap',
      'everything',
    ]);
  });

  it('refuses a deactivated user', async () => {
    const bobId = await h.user('human', { [acme]: ['users:read'] });
    await h.publish(h.topics.identity, [h.factory.event('UserDeactivated', bobId, { userId: bobId, reason: 'left' })]);
    await waitFor(async () => (await h.ctx.queries.user(bobId))?.active === false, { what: 'bob deactivated' });
    const run = await cli('pat', 'create', '--user', bobId, '--name', 'x', '--scopes', 'users:read', '--account', acme);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/USER_DEACTIVATED/);
  });

  it('revokes a PAT (operator_request), idempotently; an unknown id is refused', async () => {
    const created = await cli(
      'pat',
      'create',
      '--user',
      alice,
      '--name',
      'short-lived',
      '--scopes',
      'users:read',
      '--account',
      acme,
    );
    const token = created.stdout.trim();
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(token, { account: acme }).active).toBe(true);
    const pat = (await h.ctx.queries.patsOf(aliceId, 10, null)).find((p) => p.name === 'short-lived')!;

    const revoked = await cli('pat', 'revoke', '--id', pat.id);
    expect(revoked).toMatchObject({ code: 0, stdout: '' });
    expect(revoked.stderr).toContain(`revoked personal access token ${pat.id}`);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(token, { account: acme })).toMatchObject({ active: false });
    expect(await h.ctx.queries.pat(pat.id)).toMatchObject({ status: 'revoked' });
    const history = await h.ctx.pats.history(pat.id);
    expect(history.find((e) => e.type === 'GrantRevoked')).toMatchObject({
      reason: 'operator_request',
      actor: expect.stringMatching(/^operator:/),
    });

    const again = await cli('pat', 'revoke', '--id', pat.id);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already revoked/);

    const unknown = await cli('pat', 'revoke', '--id', randomUUID());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^latchkey: refused \(GRANT_NOT_FOUND\)/);
  });

  it('usage errors exit 2 without touching anything; --help prints the usage', async () => {
    const bad = await cli('pat', 'create', '--user', alice);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^latchkey: --name <name> is required\nRun "latchkey --help" for usage\.\n$/);
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/latchkey pat create --user/);
  });

  it('a bad environment is a one-line failure', async () => {
    const err: string[] = [];
    const code = await runCli(
      ['pat', 'revoke', '--id', randomUUID()],
      { DATABASE_URL: 'not a url' },
      { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } },
    );
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/^latchkey: cannot read the configuration: .*DATABASE_URL.*\n$/);
  });
});
