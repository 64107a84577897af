import { DEFAULT_EXPIRES_IN_DAYS, parseCliArgs, UsageError } from './cli-args';

const ACCOUNT = '11111111-2222-4333-8444-555555555555';
const ACCOUNT_2 = '66666666-7777-4888-9999-000000000000';
const USER_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

const create = (...extra: string[]) => [
  'pat',
  'create',
  '--user',
  'admin@latchkey.localhost',
  '--name',
  'ci',
  '--scopes',
  'users:read',
  ...extra,
];

function usageError(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCliArgs', () => {
  it('asks for help with --help or -h anywhere, and with "help"', () => {
    expect(parseCliArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseCliArgs(['pat', 'create', '-h'])).toEqual({ command: 'help' });
    expect(parseCliArgs(['help'])).toEqual({ command: 'help' });
  });

  it('parses pat create with the defaults: 30 days, no description', () => {
    expect(parseCliArgs(create('--account', ACCOUNT))).toEqual({
      command: 'pat-create',
      user: 'admin@latchkey.localhost',
      name: 'ci',
      scopes: ['users:read'],
      accounts: [ACCOUNT],
      expiry: { days: DEFAULT_EXPIRES_IN_DAYS },
      description: null,
    });
  });

  it('takes --opt=value, repeated or comma-listed accounts, scope lists, expiry and a description', () => {
    const args = parseCliArgs([
      'pat',
      'create',
      `--user=${USER_ID.toUpperCase()}`,
      '--name=deploy bot',
      '--scopes',
      ' users:read, accounts:read ,users:read',
      '--account',
      `${ACCOUNT},${ACCOUNT_2}`,
      `--account=${ACCOUNT}`,
      '--expires-in-days',
      '7',
      '--description',
      'for the pipeline',
    ]);
    expect(args).toEqual({
      command: 'pat-create',
      user: USER_ID,
      name: 'deploy bot',
      scopes: ['users:read', 'accounts:read'],
      accounts: [ACCOUNT, ACCOUNT_2],
      expiry: { days: 7 },
      description: 'for the pipeline',
    });
  });

  it('understands --all-accounts, --scopes all and --no-expiry', () => {
    expect(
      parseCliArgs([
        'pat',
        'create',
        '--user',
        USER_ID,
        '--name',
        'x',
        '--scopes',
        'all',
        '--all-accounts',
        '--no-expiry',
      ]),
    ).toMatchObject({
      scopes: 'all',
      accounts: 'all',
      expiry: { never: true },
    });
  });

  it('parses pat revoke', () => {
    expect(parseCliArgs(['pat', 'revoke', '--id', ACCOUNT.toUpperCase()])).toEqual({
      command: 'pat-revoke',
      id: ACCOUNT,
    });
  });

  it('parses dlq replay with the topic before or after --dry-run', () => {
    expect(parseCliArgs(['dlq', 'replay', 'identity.events.v1'])).toEqual({
      command: 'dlq-replay',
      topic: 'identity.events.v1',
      dryRun: false,
    });
    expect(parseCliArgs(['dlq', 'replay', '--dry-run', 'applications.events.v1'])).toEqual({
      command: 'dlq-replay',
      topic: 'applications.events.v1',
      dryRun: true,
    });
  });

  it.each([
    [[], /no command/],
    [['dlq'], /dlq needs a command: replay/],
    [['dlq', 'drop', 't'], /unknown command "dlq drop"/],
    [['dlq', 'replay'], /needs the topic/],
    [['dlq', 'replay', 'a', 'b'], /unexpected argument "b"/],
    [['dlq', 'replay', 'a b'], /not a Kafka topic name/],
    [['dlq', 'replay', 'identity.events.v1.dlq'], /the original topic: "identity.events.v1"/],
    [['dlq', 'replay', 't', '--dry-run=yes'], /takes no value/],
    [['dlq', 'replay', 't', '--force'], /unknown option --force/],
    [['token', 'create'], /unknown command "token"/],
    [['pat'], /create or revoke/],
    [['pat', 'list'], /unknown command "pat list"/],
    [['pat', 'create', '--name', 'x', '--scopes', 'a:read', '--all-accounts'], /--user .* is required/],
    [['pat', 'create', '--user', 'a@b', '--scopes', 'a:read', '--all-accounts'], /--name .* is required/],
    [['pat', 'create', '--user', 'a@b', '--name', 'x', '--all-accounts'], /--scopes .* is required/],
    [
      ['pat', 'create', '--user', 'someone', '--name', 'x', '--scopes', 'a:read', '--all-accounts'],
      /email or a user id/,
    ],
    [create(), /--account .* or --all-accounts/],
    [create('--account', ACCOUNT, '--all-accounts'), /not both/],
    [create('--account', 'not-a-uuid'), /not an account id/],
    [create('--account', ','), /must not be empty/],
    [create('--all-accounts', '--expires-in-days', '0'), /1 to 3650/],
    [create('--all-accounts', '--expires-in-days', '3651'), /1 to 3650/],
    [create('--all-accounts', '--expires-in-days', '1.5'), /whole number/],
    [create('--all-accounts', '--expires-in-days', '7', '--no-expiry'), /not both/],
    [create('--all-accounts', '--no-expiry=yes'), /takes no value/],
    [create('--all-accounts', '--name', 'again'), /--name given twice/],
    [create('--all-accounts', '--bogus', 'x'), /unknown option --bogus/],
    [create('--all-accounts', 'stray'), /unexpected argument "stray"/],
    [create('--all-accounts', '--description'), /--description needs a value/],
    [['pat', 'create', '--user', '--name', 'x'], /--user needs a value/],
    [
      ['pat', 'create', '--user', 'a@b', '--name', ' ', '--scopes', 'a:read', '--all-accounts'],
      /--name must not be empty/,
    ],
    [['pat', 'create', '--user', 'a@b', '--name', 'x', '--scopes', ' , ', '--all-accounts'], /at least one scope/],
    [['pat', 'create', '--user', 'a@b', '--name', 'x', '--scopes', 'all,users:read', '--all-accounts'], /stands alone/],
    [['pat', 'revoke'], /--id .* is required/],
    [['pat', 'revoke', '--id', '42'], /a UUID/],
  ])('refuses %j', (argv, message) => {
    expect(usageError(argv as string[])).toMatch(message);
  });
});
