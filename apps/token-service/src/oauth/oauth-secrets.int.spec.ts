import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { captureOutput, readTopic } from '@latchkey/testing';
import { hashSecret } from '@latchkey/token-format';
import { actionOf, Browser, csrfOf, FakeLoginCheck, queryOf } from '../testing/oauth-browser';
import { databaseText, asText } from '../testing/secret-scan';
import { TokenHarness } from '../testing/token-harness';
import type { OAuthClient } from './clients/oauth-client';

/**
 * No password, client secret, authorization code, access or refresh token, pushed request_uri,
 * session or interaction cookie ever lands in a log line (logging fully on), an event on Kafka or
 * a row of any table — across the whole OAuth flow: a failed and a good login, consent, code
 * exchange, refresh, refresh reuse (grant revoked), a pushed request, code reuse, revocation,
 * introspection and client_credentials.
 */
describe('the authorization server keeps no secret anywhere (real PostgreSQL + Kafka, logging at debug)', () => {
  const h = new TokenHarness();
  const output = captureOutput();
  const loginCheck = new FakeLoginCheck();
  const account = randomUUID();
  const REDIRECT = 'https://reports.example.com/callback';
  const SECRET = `lk_cs_${randomBytes(24).toString('base64url')}`;
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  let client: OAuthClient;

  beforeAll(async () => {
    Logger.overrideLogger(output.logger);
    await h.startService(
      {
        LOG_LEVEL: 'debug',
        ...(await loginCheck.start()),
      },
      {},
      output.logger,
    );
    [client] = await h.applications({
      ownerAccountId: account,
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      secret: SECRET,
    });
  }, 120_000);
  afterAll(async () => {
    output.restore();
    Logger.overrideLogger(false);
    await h.stopService();
    await loginCheck.stop();
  });

  const form = (url: string, fields: Record<string, string>) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${SECRET}`).toString('base64')}`,
      },
      payload: new URLSearchParams(fields).toString(),
    });
  const authorizeQuery = () =>
    new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'orders:read',
      state: 's',
    });

  it('scans every table, the tokens topic and the logs for every secret the flow handled', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const email = `${userId}@example.com`;
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    const wrongPassword = `wrong-${randomBytes(12).toString('base64url')}`;
    loginCheck.users.set(email, { userId, password });
    const secrets: Record<string, string> = { clientSecret: SECRET, password, wrongPassword };

    // sign in (once wrong), consent, code
    const b = new Browser(h);
    const interaction = String((await b.get(`/oauth/authorize?${authorizeQuery()}`)).headers.location);
    const login = await b.get(interaction);
    await b.post(actionOf(login.body), { csrf: csrfOf(login.body), email, password: wrongPassword });
    const again = await b.get(interaction);
    await b.post(actionOf(again.body), { csrf: csrfOf(again.body), email, password });
    secrets.session = b.jar.get('lk_session')!;
    secrets.interaction = b.jar.get('lk_interaction')!;
    const consent = await b.get(interaction);
    secrets.csrf = csrfOf(consent.body);
    const done = await b.post(actionOf(consent.body), { csrf: secrets.csrf, decision: 'allow', account });
    secrets.code = queryOf(String(done.headers.location)).code;

    const exchange = (code: string) =>
      form('/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    const first = (await exchange(secrets.code)).json();
    secrets.access1 = first.access_token;
    secrets.refresh1 = first.refresh_token;
    const refreshed = (
      await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    ).json();
    secrets.access2 = refreshed.access_token;
    secrets.refresh2 = refreshed.refresh_token;
    // the rotated refresh token again: the grant is revoked
    expect(
      (await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token })).json().error,
    ).toBe('invalid_grant');
    expect((await form('/oauth/introspect', { token: refreshed.access_token })).json()).toEqual({ active: false });

    // a pushed request, its code, then that code again (grant revoked), and a revocation
    const pushed = (await form('/oauth/par', Object.fromEntries(authorizeQuery()))).json();
    secrets.requestUri = pushed.request_uri;
    const viaPush = await b.get(
      `/oauth/authorize?${new URLSearchParams({ client_id: client.clientId, request_uri: pushed.request_uri })}`,
    );
    const pushedInteraction = String(viaPush.headers.location);
    // the grant before was revoked (refresh reuse): consent is asked again
    const consentAgain = await b.get(pushedInteraction);
    const allowed = await b.post(actionOf(consentAgain.body), {
      csrf: csrfOf(consentAgain.body),
      decision: 'allow',
      account,
    });
    secrets.code2 = queryOf(String(allowed.headers.location)).code;
    const third = (await exchange(secrets.code2)).json();
    secrets.access3 = third.access_token;
    secrets.refresh3 = third.refresh_token;
    expect((await form('/oauth/introspect', { token: third.access_token })).json().active).toBe(true);
    expect((await exchange(secrets.code2)).json().error).toBe('invalid_grant'); // code reuse
    const fourth = (await form('/oauth/token', { grant_type: 'client_credentials' })).json();
    secrets.access4 = fourth.access_token;
    expect((await form('/oauth/revoke', { token: fourth.access_token })).statusCode).toBe(200);
    for (const [name, value] of Object.entries(secrets))
      expect([name, typeof value, value.length > 10]).toEqual([name, 'string', true]);
    await h.waitForOwnEvents();

    const { tables, text: database } = await databaseText(h.ctx.runtime.dataSource);
    expect(tables).toEqual(
      expect.arrayContaining([
        'oauth_grants',
        'authorization_codes',
        'authorization_interactions',
        'login_sessions',
        'pushed_authorization_requests',
      ]),
    );
    // the scan saw what is stored: the hashes of a token, a code, a session and a request_uri
    for (const name of ['access1', 'code', 'session', 'requestUri'])
      expect([name, database.includes(hashSecret(secrets[name]))]).toEqual([name, true]);
    const total = Number((await h.ctx.runtime.dataSource.query('SELECT count(*) AS n FROM events'))[0].n);
    const kafka = (await readTopic(h.kafka, h.topics.tokens, (all) => all.length >= total))
      .map((m) => asText({ key: m.message.key, value: m.value, headers: m.message.headers }))
      .join('\n');
    expect(kafka).toContain('code_reuse'); // the scan saw the real events
    expect(kafka).toContain('refresh_reuse');
    const logs = output.lines.join('\n');
    expect(logs).toContain(`user ${userId} authorized application ${client.clientId}`); // the capture saw request-time logs
    expect(logs).toContain('presented again: grant revoked');

    const needles = (secret: string) =>
      /^lk_[a-z]+_/.test(secret) ? [secret, secret.replace(/^lk_[a-z]+_/, ''), secret.slice(12, 32)] : [secret];
    for (const [name, secret] of Object.entries(secrets))
      for (const [where, text] of Object.entries({ database, kafka, logs }))
        for (const needle of needles(secret))
          if (text.includes(needle))
            throw new Error(`found ${name} (or ${needle.length} characters of it) in ${where}`);
  }, 90_000);
});
