/**
 * The command line of `latchkey`, parsed without touching anything else (a pure function):
 * `parseCliArgs(argv)` gives what to do, or throws a {@link UsageError} (exit code 2).
 */

export const DEFAULT_EXPIRES_IN_DAYS = 30;
export const MAX_EXPIRES_IN_DAYS = 3650;

export const USAGE = `latchkey: token-service operator commands (break-glass; run on the machine that runs token-service)

Usage:
  latchkey pat create --user <email|user id> --name <name> --scopes <scope,...|all>
                      (--account <account id> [--account <id> ...] | --all-accounts)
                      [--expires-in-days <N> | --no-expiry] [--description <text>]
  latchkey pat revoke --id <grant id>
  latchkey dlq replay <topic> [--dry-run]
  latchkey --help

pat create   Issues a personal access token for a user that token-service's directory knows
             (token-service must have run and consumed identity.events.v1). The operator acts
             as an administrator of the token's accounts; the user must still hold every scope
             in every account, and the accounts' token policies still apply.
             --account        an account of the token (repeat it, or give a comma list)
             --all-accounts   every account the user holds permissions in
             --scopes all     every permission the user holds in all of the token's accounts
             --expires-in-days  1..${MAX_EXPIRES_IN_DAYS} (default ${DEFAULT_EXPIRES_IN_DAYS}); --no-expiry for a token that never expires
             Prints only the token on stdout (TOKEN=$(npm run -s latchkey -- pat create ...)),
             and a summary on stderr.
pat revoke   Revokes a personal access token (reason operator_request).
dlq replay   Republishes the dead letters of <topic>.dlq to their original topic (header
             x-original-topic, else <topic>) with their key and headers (minus x-dlq-*), so
             the consumers try them again once the cause is fixed. A consumer group of its own
             (latchkey-dlq-replay.<topic>) remembers what was replayed: each dead letter is
             replayed once; letters that arrive while it runs wait for the next run.
             --dry-run  lists partition, offset, reason, event type and id of each letter a
                        replay would republish (never its content); changes nothing
             Needs only KAFKA_BROKERS (no database).

Environment: DATABASE_URL and KAFKA_BROKERS, as token-service reads them.
Exit codes: 0 done, 1 refused or failed, 2 usage error.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Expiry = { days: number } | { never: true };

export interface PatCreateArgs {
  command: 'pat-create';
  /** An email (contains `@`) or a user id. */
  user: string;
  name: string;
  scopes: string[] | 'all';
  accounts: string[] | 'all';
  expiry: Expiry;
  description: string | null;
}

export interface PatRevokeArgs {
  command: 'pat-revoke';
  id: string;
}

export interface DlqReplayArgs {
  command: 'dlq-replay';
  /** The original topic (its dead letters are on `<topic>.dlq`). */
  topic: string;
  dryRun: boolean;
}

export type CliArgs = { command: 'help' } | PatCreateArgs | PatRevokeArgs | DlqReplayArgs;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface OptionSpec {
  /** Takes a value (`--x v` or `--x=v`). */
  value: boolean;
  repeatable?: boolean;
}

const CREATE_OPTIONS: Record<string, OptionSpec> = {
  user: { value: true },
  name: { value: true },
  scopes: { value: true },
  account: { value: true, repeatable: true },
  'all-accounts': { value: false },
  'expires-in-days': { value: true },
  'no-expiry': { value: false },
  description: { value: true },
};

const REVOKE_OPTIONS: Record<string, OptionSpec> = {
  id: { value: true },
};

const REPLAY_OPTIONS: Record<string, OptionSpec> = {
  'dry-run': { value: false },
};

/** Kafka's legal topic names. */
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

export function parseCliArgs(argv: readonly string[]): CliArgs {
  if (argv.some((a) => a === '--help' || a === '-h') || (argv.length === 1 && argv[0] === 'help'))
    return { command: 'help' };
  if (argv.length === 0) throw new UsageError('no command given');
  const [group, action, ...rest] = argv;
  if (group === 'dlq') return dlq(action, rest);
  if (group !== 'pat') throw new UsageError(`unknown command ${JSON.stringify(group)}`);
  if (action === 'create') return patCreate(options(rest, CREATE_OPTIONS));
  if (action === 'revoke') return patRevoke(options(rest, REVOKE_OPTIONS));
  throw new UsageError(
    action === undefined ? 'pat needs a command: create or revoke' : `unknown command "pat ${action}"`,
  );
}

/** `--name value`, `--name=value` and flags, by the spec; everything else is a usage error. */
function options(args: readonly string[], spec: Record<string, OptionSpec>): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const option = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (option === undefined) throw new UsageError(`unknown option --${name}`);
    let value: string;
    if (!option.value) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      value = '';
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      if (i + 1 >= args.length || args[i + 1].startsWith('--')) throw new UsageError(`--${name} needs a value`);
      value = args[++i];
    }
    const seen = found.get(name);
    if (seen && !option.repeatable) throw new UsageError(`--${name} given twice`);
    found.set(name, [...(seen ?? []), value]);
  }
  return found;
}

function single(opts: Map<string, string[]>, name: string, what: string): string {
  const value = opts.get(name)?.[0]?.trim();
  if (value === undefined) throw new UsageError(`--${name} <${what}> is required`);
  if (value === '') throw new UsageError(`--${name} must not be empty`);
  return value;
}

function list(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
}

function patCreate(opts: Map<string, string[]>): PatCreateArgs {
  let user = single(opts, 'user', 'email or user id');
  if (!user.includes('@')) {
    if (!UUID.test(user)) throw new UsageError('--user must be an email or a user id (a UUID)');
    user = user.toLowerCase();
  }
  const name = single(opts, 'name', 'name');

  const rawScopes = list(single(opts, 'scopes', 'scope,...|all'));
  if (rawScopes.length === 0) throw new UsageError('--scopes needs at least one scope');
  if (rawScopes.includes('all') && rawScopes.length > 1) throw new UsageError('--scopes all stands alone');
  const scopes = rawScopes[0] === 'all' ? 'all' : rawScopes;

  const allAccounts = opts.has('all-accounts');
  const givenAccounts = opts.get('account');
  if (allAccounts && givenAccounts) throw new UsageError('give --account or --all-accounts, not both');
  if (!allAccounts && !givenAccounts)
    throw new UsageError('give --account <account id> (one or more) or --all-accounts');
  let accounts: string[] | 'all' = 'all';
  if (givenAccounts) {
    accounts = [...new Set(givenAccounts.flatMap(list).map((a) => a.toLowerCase()))];
    if (accounts.length === 0) throw new UsageError('--account must not be empty');
    const bad = accounts.find((a) => !UUID.test(a));
    if (bad !== undefined) throw new UsageError(`--account ${JSON.stringify(bad)} is not an account id (a UUID)`);
  }

  const noExpiry = opts.has('no-expiry');
  const days = opts.get('expires-in-days')?.[0]?.trim();
  if (noExpiry && days !== undefined) throw new UsageError('give --expires-in-days or --no-expiry, not both');
  let expiry: Expiry = noExpiry ? { never: true } : { days: DEFAULT_EXPIRES_IN_DAYS };
  if (days !== undefined) {
    const n = /^\d+$/.test(days) ? Number(days) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_EXPIRES_IN_DAYS)
      throw new UsageError(`--expires-in-days must be a whole number from 1 to ${MAX_EXPIRES_IN_DAYS}`);
    expiry = { days: n };
  }

  const description = opts.get('description')?.[0] ?? null;
  return {
    command: 'pat-create',
    user,
    name,
    scopes,
    accounts,
    expiry,
    description: description === null || description.trim() === '' ? null : description,
  };
}

function patRevoke(opts: Map<string, string[]>): PatRevokeArgs {
  const id = single(opts, 'id', 'grant id');
  if (!UUID.test(id)) throw new UsageError('--id must be the id of a personal access token (a UUID)');
  return { command: 'pat-revoke', id: id.toLowerCase() };
}

function dlq(action: string | undefined, rest: readonly string[]): DlqReplayArgs {
  if (action !== 'replay')
    throw new UsageError(action === undefined ? 'dlq needs a command: replay' : `unknown command "dlq ${action}"`);
  const positional = rest.filter((a) => !a.startsWith('--'));
  if (positional.length === 0) throw new UsageError('dlq replay needs the topic whose dead letters to replay');
  if (positional.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positional[1])}`);
  const topic = positional[0];
  if (!TOPIC.test(topic)) throw new UsageError(`${JSON.stringify(topic)} is not a Kafka topic name`);
  if (topic.endsWith('.dlq'))
    throw new UsageError(`give the original topic: ${JSON.stringify(topic.slice(0, -'.dlq'.length))}, not its DLQ`);
  const opts = options(
    rest.filter((a) => a.startsWith('--')),
    REPLAY_OPTIONS,
  );
  return { command: 'dlq-replay', topic, dryRun: opts.has('dry-run') };
}
