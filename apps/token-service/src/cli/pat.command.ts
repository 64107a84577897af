import type { DataSource } from 'typeorm';
import { TokenError, type PatActorFacts } from '../domain';
import type { DirectoryUser } from '../read-model/token.queries';
import type { TokenContext } from '../token.context';
import type { PatCreateArgs, PatRevokeArgs } from './cli-args';

/** Where the CLI writes: stdout gets only the token; everything for humans goes to stderr. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export type OperatorContext = Pick<TokenContext, 'runtime' | 'queries' | 'pats' | 'clock'>;

export interface OperatorOptions {
  /** `operator:<os user>@<hostname>`. */
  operator: string;
  /** How long to wait for the outbox to be published (default 30 s). */
  publishTimeoutMs?: number;
}

const DAY_MS = 86_400_000;
const UNKNOWN_HINT = 'token-service learns users from identity.events.v1: has it run since the user was created?';

/** The user by email or id, as token-service's directory knows them. */
export async function resolveUser(ctx: OperatorContext, userArg: string): Promise<DirectoryUser> {
  const byEmail = userArg.includes('@');
  const userId = byEmail ? await ctx.queries.userIdByEmail(userArg) : userArg;
  const user = userId === null ? null : await ctx.queries.user(userId);
  if (user === null)
    throw new TokenError(
      'USER_UNKNOWN',
      `no user ${byEmail ? 'with email' : 'with id'} ${userArg} is known to token-service (${UNKNOWN_HINT})`,
    );
  return user;
}

/** `--all-accounts`: every account the user holds permissions in. */
export function accountsOf(user: DirectoryUser, wanted: PatCreateArgs['accounts']): string[] {
  if (wanted !== 'all') return [...wanted];
  const accounts = Object.keys(user.permissions)
    .filter((a) => user.permissions[a].length > 0)
    .sort();
  if (accounts.length === 0) throw new TokenError('ACCOUNTS_REQUIRED', 'the user holds permissions in no account');
  return accounts;
}

/**
 * `--scopes all`: every permission the user holds in each of the accounts (a token's scopes
 * apply in all of its accounts, and the user must hold each of them in each account).
 */
export function scopesOf(user: DirectoryUser, accounts: readonly string[], wanted: PatCreateArgs['scopes']): string[] {
  if (wanted !== 'all') return [...wanted];
  const held = accounts.map((a) => (Object.hasOwn(user.permissions, a) ? user.permissions[a] : []));
  // an account the user is not in: leave it to the decider (ACCOUNT_NOT_HELD)
  if (held.some((p) => p.length === 0)) return [];
  const common = held.reduce((acc, p) => acc.filter((s) => p.includes(s)));
  if (common.length === 0)
    throw new TokenError(
      'SCOPES_REQUIRED',
      'the user holds no permission in all of these accounts; name the accounts or the scopes',
    );
  return [...new Set(common)].sort();
}

/** Creates a PAT for the user as an administrator of its accounts; prints the token alone on stdout. */
export async function createPatAsOperator(
  ctx: OperatorContext,
  args: PatCreateArgs,
  io: CliIo,
  options: OperatorOptions,
): Promise<void> {
  const user = await resolveUser(ctx, args.user);
  if (!user.active) throw new TokenError('USER_DEACTIVATED', `user ${args.user} is deactivated`);
  const accountIds = accountsOf(user, args.accounts);
  const scopes = scopesOf(user, accountIds, args.scopes);
  const expiresAt =
    'days' in args.expiry ? new Date(ctx.clock().getTime() + args.expiry.days * DAY_MS).toISOString() : null;
  const actor: PatActorFacts = { isSelf: false, administers: accountIds };

  const { grantId, token } = await ctx.pats.create(
    { userId: user.userId, name: args.name, description: args.description, scopes, accountIds, expiresAt },
    actor,
    options.operator,
  );
  const published = await waitUntilPublished(ctx.runtime.dataSource, grantId, options.publishTimeoutMs);
  const pat = await ctx.queries.pat(grantId);

  io.stdout.write(`${token}\n`);
  io.stderr.write(
    [
      `created personal access token ${grantId}`,
      `  name:     ${pat?.name ?? args.name}`,
      `  user:     ${user.email ?? '(no email)'} (${user.userId}, ${user.kind})`,
      `  accounts: ${(pat?.accountIds ?? accountIds).join(', ')}`,
      `  scopes:   ${(pat?.scopes ?? scopes).join(', ')}`,
      `  expires:  ${(pat ? pat.expiresAt : expiresAt) ?? 'never'}`,
      `  by:       ${options.operator}`,
      published
        ? '  (published: verifiers accept it once they have read the tokens topic)'
        : '  warning: not yet published to Kafka; token-service publishes it as soon as it can, the token works from then on',
      '',
    ].join('\n'),
  );
}

/** Break-glass revocation (reason `operator_request`); revoking a revoked token changes nothing. */
export async function revokePatAsOperator(
  ctx: OperatorContext,
  args: PatRevokeArgs,
  io: CliIo,
  options: OperatorOptions,
): Promise<void> {
  const pat = await ctx.queries.pat(args.id);
  if (pat === null) throw new TokenError('GRANT_NOT_FOUND', `no personal access token with id ${args.id}`);
  if (pat.revokedAt !== null) {
    io.stderr.write(
      `personal access token ${pat.id} ("${pat.name}") was already revoked at ${pat.revokedAt}; nothing changed\n`,
    );
    return;
  }
  await ctx.pats.revoke(pat.id, 'operator_request', options.operator);
  const published = await waitUntilPublished(ctx.runtime.dataSource, pat.id, options.publishTimeoutMs);
  io.stderr.write(
    `revoked personal access token ${pat.id} ("${pat.name}", user ${pat.userId}) by ${options.operator}` +
      (published ? '\n' : '\n  warning: not yet published to Kafka; token-service publishes it as soon as it can\n'),
  );
}

/**
 * Waits until the outbox holds nothing more of the grant's stream (its events are on Kafka,
 * whichever relay — this process's or the running service's — published them).
 */
export async function waitUntilPublished(
  dataSource: DataSource,
  grantId: string,
  timeoutMs = 30_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ n }] = (await dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE message_key = $1', [
      grantId,
    ])) as Array<{ n: number }>;
    if (n === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}
