import { validateEvent } from '@latchkey/contracts';
import { deciderScenarios, envelopesOf } from '@latchkey/eventstore';
import { displayPrefix, generateSecret, hashSecret } from '@latchkey/token-format';
import type { TokenPolicy } from '../policy/token-policy.decider';
import { TokenError } from '../token-error';
import {
  grantStream,
  patDecider as decider,
  patNameKey,
  patStatus,
  type CreatePat,
  type CreatePatFacts,
  type ExistingPat,
  type IssuingFacts,
  type PatActorFacts,
  type PatCommand,
  type PatEvent,
  type PatUserFacts,
  type RegeneratePat,
  type RevokePat,
} from './pat.decider';

const { given, when, errorOf } = deciderScenarios(decider, TokenError);
const thenError = (code: string, command: PatCommand, ...history: PatEvent[]) => {
  expect(errorOf(() => when(command, ...history)).code).toBe(code);
};

/** Every emitted event must validate against the contracts and hold no secret; the tests below send theirs here. */
const emitted: PatEvent[] = [];
function decided(command: PatCommand, ...history: PatEvent[]): PatEvent[] {
  const events = when(command, ...history);
  emitted.push(...events);
  return events;
}

const G = '9b2e4c6a-8d0f-4a1b-9c3d-5e7f9a1b3c5d';
const T1 = '4e6a8c0b-2d4f-4b6a-8c0e-2f4a6b8c0d2e';
const T2 = '7a1c3e5b-9d2f-4a6c-8e0b-1d3f5a7c9e2b';
const U = 'user-ada';
const ADMIN = 'user-admin';
const A = 'acct-a';
const B = 'acct-b';
const NOW = '2025-01-15T10:30:00.000Z';
const at = (days: number, from = NOW) => new Date(Date.parse(from) + days * 86_400_000).toISOString();

const SECRET_1 = generateSecret('pat');
const SECRET_2 = generateSecret('pat');
const SECRETS = [SECRET_1, SECRET_2];

const ada: PatUserFacts = {
  kind: 'human',
  active: true,
  permissions: {
    [A]: [
      'orders:create',
      'orders:delete',
      'orders:read',
      'orders:update',
      'requests:read',
      'personal_access_tokens:create',
    ],
    [B]: ['orders:read', 'requests:read'],
  },
};
const facts: CreatePatFacts = { user: ada, actor: { isSelf: true, administers: [] }, policies: {}, nameTaken: false };
const withFacts = (change: Partial<CreatePatFacts>): CreatePat => ({ ...create, facts: { ...facts, ...change } });
const policy = (change: Partial<TokenPolicy>): TokenPolicy => ({
  whoMayCreate: 'everyone',
  maxLifetimeDays: null,
  contactScopes: [],
  ...change,
});

const create: CreatePat = {
  type: 'CreatePat',
  grantId: G,
  tokenId: T1,
  tokenHash: hashSecret(SECRET_1),
  displayPrefix: displayPrefix(SECRET_1),
  userId: U,
  name: 'CI pipeline',
  description: 'Deploys the shop.',
  scopes: ['orders:read'],
  accountIds: [A],
  expiresAt: at(30),
  now: NOW,
  createdBy: U,
  facts,
};
const grantCreated: PatEvent = {
  type: 'GrantCreated',
  data: {
    grantId: G,
    kind: 'personal',
    userId: U,
    accountIds: [A],
    scopes: ['orders:read'],
    name: 'CI pipeline',
    description: 'Deploys the shop.',
    createdBy: U,
  },
};
const tokenIssued: PatEvent = {
  type: 'TokenIssued',
  data: {
    tokenId: T1,
    grantId: G,
    tokenKind: 'pat',
    tokenHash: hashSecret(SECRET_1),
    displayPrefix: displayPrefix(SECRET_1),
    userId: U,
    accountIds: [A],
    scopes: ['orders:read'],
    issuedAt: NOW,
    expiresAt: at(30),
    issuedBy: U,
  },
};
const neverExpiring: PatEvent = { ...tokenIssued, data: { ...tokenIssued.data, expiresAt: null } } as PatEvent;
const created = [grantCreated, tokenIssued];

/** Ada's own token, calling with every scope she holds (a login-like token). */
const adaCalling: PatActorFacts = { isSelf: true, administers: [], tokenScopes: ada.permissions };
const regenerateFacts: IssuingFacts = { user: ada, actor: adaCalling, policies: {} };
const regenerate = (now: string, change: Partial<IssuingFacts> = {}): RegeneratePat => ({
  type: 'RegeneratePat',
  tokenId: T2,
  tokenHash: hashSecret(SECRET_2),
  displayPrefix: displayPrefix(SECRET_2),
  now,
  regeneratedBy: U,
  userId: U,
  facts: { ...regenerateFacts, ...change },
});
/** An administrator (of A, or of the given accounts) acting on Ada's token with a token holding `scopes` there. */
const adminActing = (scopes: readonly string[], administers: readonly string[] = [A]): PatActorFacts => ({
  isSelf: false,
  administers,
  tokenScopes: Object.fromEntries(administers.map((account) => [account, scopes])),
});
const byAdmin = (now: string, actor: PatActorFacts, change: Partial<IssuingFacts> = {}): RegeneratePat => ({
  ...regenerate(now, { actor, ...change }),
  regeneratedBy: ADMIN,
});
const revoke: RevokePat = { type: 'RevokePat', reason: 'user_request', now: at(5) };
const revokedEvents: PatEvent[] = [
  { type: 'TokenRevoked', data: { tokenId: T1, grantId: G, reason: 'user_request' } },
  { type: 'GrantRevoked', data: { grantId: G, userId: U, reason: 'user_request', revokedAt: at(5) } },
];

describe('personal access token decider', () => {
  describe('CreatePat', () => {
    it('given nothing, when a user creates a token for themselves, then GrantCreated and TokenIssued', () => {
      expect(decided(create)).toEqual([grantCreated, tokenIssued]);
    });

    it('trims the name, sorts and dedupes scopes and accounts, expands resource:* in both events', () => {
      const events = decided({
        ...create,
        name: '  CI pipeline ',
        scopes: ['requests:read', 'orders:*', 'orders:read'],
        accountIds: [A, A],
      });
      const scopes = ['orders:create', 'orders:delete', 'orders:read', 'orders:update', 'requests:read'];
      expect(events[0].data).toMatchObject({ name: 'CI pipeline', scopes, accountIds: [A] });
      expect(events[1].data).toMatchObject({ scopes, accountIds: [A] });
    });

    it('given several accounts, then they are sorted and the scopes checked in each', () => {
      const [event] = decided({ ...create, scopes: ['requests:read', 'orders:read'], accountIds: [B, A, B] });
      expect(event.data).toMatchObject({ accountIds: [A, B], scopes: ['orders:read', 'requests:read'] });
    });

    it('keeps a multi-line description, leaves out a blank or absent one', () => {
      expect(decided({ ...create, description: ' Line one.\nLine two.\t ' })[0].data).toMatchObject({
        description: 'Line one.\nLine two.',
      });
      for (const description of [undefined, null, '   ']) {
        expect('description' in decided({ ...create, description })[0].data).toBe(false);
      }
    });

    it('normalizes the expiry to UTC and allows none when no account has a maximum', () => {
      expect(decided({ ...create, expiresAt: '2025-02-14T11:30:00+01:00' })[1].data).toMatchObject({
        expiresAt: at(30),
      });
      expect(decided({ ...create, expiresAt: null })[1].data).toMatchObject({ expiresAt: null });
    });

    it('given a grant, active or revoked, when creating it again, then GRANT_EXISTS', () => {
      thenError('GRANT_EXISTS', create, ...created);
      thenError('GRANT_EXISTS', create, ...created, ...revokedEvents);
    });

    it('given an unknown user, then USER_UNKNOWN; given a deactivated one, then USER_DEACTIVATED', () => {
      thenError('USER_UNKNOWN', withFacts({ user: null }));
      thenError('USER_DEACTIVATED', withFacts({ user: { ...ada, active: false } }));
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['longer than 100 characters', 'x'.repeat(101)],
      ['with a control character', 'CI\u0007pipeline'],
      ['with a line break', 'CI\npipeline'],
    ])('given a name that is %s, then NAME_INVALID', (_label, name) => {
      thenError('NAME_INVALID', { ...create, name });
    });

    it('given a name of 100 characters, then it is accepted', () => {
      expect(decided({ ...create, name: 'x'.repeat(100) })[0].data).toMatchObject({ name: 'x'.repeat(100) });
    });

    it('given the user has a live token of that name, then NAME_TAKEN; names compare trimmed and case-insensitively', () => {
      thenError('NAME_TAKEN', withFacts({ nameTaken: true }));
      expect(patNameKey('  CI Pipeline ')).toBe(patNameKey('ci pipeline'));
    });

    it.each([
      ['longer than 1000 characters', 'x'.repeat(1001)],
      ['with a control character', 'bad\u0000text'],
    ])('given a description that is %s, then DESCRIPTION_INVALID', (_label, description) => {
      thenError('DESCRIPTION_INVALID', { ...create, description });
    });

    it('given no account, then ACCOUNTS_REQUIRED', () => {
      thenError('ACCOUNTS_REQUIRED', { ...create, accountIds: [] });
    });

    it('given an account the user holds no permissions in, then ACCOUNT_NOT_HELD', () => {
      thenError('ACCOUNT_NOT_HELD', { ...create, accountIds: [A, 'acct-elsewhere'] });
      thenError('ACCOUNT_NOT_HELD', { ...create, accountIds: ['constructor'] });
      thenError('ACCOUNT_NOT_HELD', withFacts({ user: { ...ada, permissions: { ...ada.permissions, [A]: [] } } }));
    });

    it('given no scope, then SCOPES_REQUIRED', () => {
      thenError('SCOPES_REQUIRED', { ...create, scopes: [] });
    });

    it.each([['orders'], ['orders:write'], ['Orders:read'], ['*:read']])(
      'given the scope %j, then SCOPE_INVALID',
      (scope) => {
        thenError('SCOPE_INVALID', { ...create, scopes: ['orders:read', scope] });
      },
    );

    describe('scopes held', () => {
      it("given a scope beyond the user's permissions, then SCOPE_NOT_HELD", () => {
        thenError('SCOPE_NOT_HELD', { ...create, scopes: ['users:read'] });
      });

      it('given a scope the user holds in one account but not another of the token, then SCOPE_NOT_HELD', () => {
        expect(decided({ ...create, scopes: ['orders:update'] })).toHaveLength(2);
        thenError('SCOPE_NOT_HELD', { ...create, scopes: ['orders:update'], accountIds: [A, B] });
      });

      it('given resource:* and a user holding all four actions, then the four actions; holding fewer, then SCOPE_NOT_HELD', () => {
        expect(decided({ ...create, scopes: ['orders:*'] })[0].data).toMatchObject({
          scopes: ['orders:create', 'orders:delete', 'orders:read', 'orders:update'],
        });
        thenError('SCOPE_NOT_HELD', { ...create, scopes: ['orders:*'], accountIds: [B] });
      });

      it('given a user holding a wildcard permission, then each action is covered', () => {
        const user = { ...ada, permissions: { [A]: ['orders:*'] } };
        expect(decided({ ...withFacts({ user }), scopes: ['orders:delete'] })[0].data).toMatchObject({
          scopes: ['orders:delete'],
        });
      });

      it('given a creating token with fewer scopes, when creating for oneself beyond them, then SCOPE_NOT_HELD', () => {
        const actor = {
          isSelf: true,
          administers: [],
          tokenScopes: { [A]: ['orders:read', 'personal_access_tokens:create'] },
        };
        expect(decided({ ...withFacts({ actor }), scopes: ['orders:read'] })).toHaveLength(2);
        thenError('SCOPE_NOT_HELD', { ...withFacts({ actor }), scopes: ['orders:update'] });
        thenError('SCOPE_NOT_HELD', { ...withFacts({ actor }), scopes: ['orders:*'] });
      });

      it('given a creating token with a wildcard, then it covers each action', () => {
        const actor = { isSelf: true, administers: [], tokenScopes: { [A]: ['orders:*'] } };
        expect(decided({ ...withFacts({ actor }), scopes: ['orders:*'] })).toHaveLength(2);
      });

      it('given a creating token that may not act in an account of the new token, then ACCOUNT_NOT_HELD', () => {
        const actor = { isSelf: true, administers: [], tokenScopes: { [A]: ['orders:read'] } };
        thenError('ACCOUNT_NOT_HELD', { ...withFacts({ actor }), accountIds: [A, B] });
      });
    });

    describe('who may create', () => {
      it('given the policy lets only administrators create, when a non-administrator creates for themselves, then PAT_CREATION_FORBIDDEN', () => {
        thenError(
          'PAT_CREATION_FORBIDDEN',
          withFacts({ policies: { [A]: policy({ whoMayCreate: 'administrators' }) } }),
        );
        thenError('PAT_CREATION_FORBIDDEN', {
          ...withFacts({ policies: { [B]: policy({ whoMayCreate: 'administrators' }) } }),
          accountIds: [A, B],
        });
      });

      it('given the policy lets only administrators create, when an administrator creates for themselves, then the token', () => {
        const command = withFacts({
          actor: { isSelf: true, administers: [A] },
          policies: { [A]: policy({ whoMayCreate: 'administrators' }) },
        });
        expect(decided(command)).toHaveLength(2);
      });

      it("given another account's restrictive policy, then it does not apply", () => {
        expect(
          decided(withFacts({ policies: { [B]: policy({ whoMayCreate: 'administrators', maxLifetimeDays: 1 }) } })),
        ).toHaveLength(2);
      });

      it('when an administrator of every account creates a token for another user, then the token, created by the administrator', () => {
        const command: CreatePat = {
          ...withFacts({ actor: { isSelf: false, administers: [A, B] } }),
          createdBy: ADMIN,
          accountIds: [A, B],
        };
        const [grant, token] = decided(command);
        expect(grant.data).toMatchObject({ userId: U, createdBy: ADMIN, accountIds: [A, B] });
        expect(token.data).toMatchObject({ userId: U });
      });

      it('when a non-administrator creates a token for another user, then NOT_ALLOWED_FOR_OTHERS', () => {
        thenError('NOT_ALLOWED_FOR_OTHERS', {
          ...withFacts({ actor: { isSelf: false, administers: [] } }),
          createdBy: ADMIN,
        });
        thenError('NOT_ALLOWED_FOR_OTHERS', {
          ...withFacts({ actor: { isSelf: false, administers: [A] } }),
          createdBy: ADMIN,
          accountIds: [A, B],
        });
      });

      it("when an administrator creates for another user, then the token is bounded by that user's permissions and by the administrator's own token", () => {
        const actor = adminActing(['account_tokens:create', 'orders:read', 'users:delete']);
        expect(decided({ ...withFacts({ actor }), createdBy: ADMIN })).toHaveLength(2);
        // beyond the user
        thenError('SCOPE_NOT_HELD', { ...withFacts({ actor }), createdBy: ADMIN, scopes: ['users:delete'] });
        // within the user, beyond the administrator's token: never more than the token that issues it
        const narrow = adminActing(['account_tokens:create', 'orders:read']);
        const error = errorOf(() =>
          when({ ...withFacts({ actor: narrow }), createdBy: ADMIN, scopes: ['orders:delete'] }),
        );
        expect([error.code, error.message]).toEqual([
          'SCOPE_NOT_HELD',
          'the token you are using does not hold "orders:delete" in account "acct-a"',
        ]);
        // a refusal about the calling token is not one a directory update could lift (no wait for it)
        expect((error as TokenError).about).toBe('calling-token');
        const userError = errorOf(() =>
          when({ ...withFacts({ actor }), createdBy: ADMIN, scopes: ['users:delete'] }),
        ) as TokenError;
        expect(userError.about).toBe('user');
      });

      it.each([
        ['an api user', { ...ada, kind: 'api' as const }, {}],
        ['a contact', { ...ada, kind: 'contact' as const }, { [A]: policy({ contactScopes: ['orders:*'] }) }],
        ['a human', ada, {}],
      ])(
        "when an administrator creates for %s, then the administrator's token is the ceiling all the same",
        (_label, user, policies) => {
          const command = (scopes: string[]) => ({
            ...withFacts({ user, policies, actor: adminActing(['account_tokens:create', 'orders:read']) }),
            createdBy: ADMIN,
            scopes,
          });
          expect(decided(command(['orders:read']))).toHaveLength(2);
          thenError('SCOPE_NOT_HELD', command(['orders:update']));
        },
      );

      it('when an administrator of A creates for a user who is only in B, then exactly the answer for an unknown user', () => {
        const inB: PatUserFacts = { ...ada, permissions: { [B]: ['orders:read'] } };
        const actor = adminActing(['account_tokens:create', 'orders:read']);
        const unknown = errorOf(() => when({ ...withFacts({ user: null, actor }), createdBy: ADMIN }));
        const elsewhere = errorOf(() => when({ ...withFacts({ user: inB, actor }), createdBy: ADMIN }));
        expect([elsewhere.code, elsewhere.status, elsewhere.message]).toEqual([
          unknown.code,
          unknown.status,
          unknown.message,
        ]);
        expect(unknown.code).toBe('USER_UNKNOWN');
        // a deactivated user elsewhere too: nothing about B's users reaches A's administrator
        const gone = errorOf(() =>
          when({ ...withFacts({ user: { ...inB, active: false }, actor }), createdBy: ADMIN }),
        );
        expect([gone.code, gone.message]).toEqual([unknown.code, unknown.message]);
        // the operator (break-glass, no token) is told what is wrong
        const operator = { isSelf: false, administers: [A] };
        thenError('ACCOUNT_NOT_HELD', {
          ...withFacts({ user: inB, actor: operator }),
          createdBy: 'operator:root@host',
        });
      });

      it('when someone who is not an administrator creates for another user, then NOT_ALLOWED_FOR_OTHERS before any fact about the user', () => {
        const actor = { isSelf: false, administers: [], tokenScopes: { [A]: ['orders:read'] } };
        for (const user of [null, { ...ada, active: false }, { ...ada, permissions: { [B]: ['orders:read'] } }, ada])
          thenError('NOT_ALLOWED_FOR_OTHERS', { ...withFacts({ user, actor, nameTaken: true }), createdBy: ADMIN });
      });

      it('given actor facts that do not match who acts for whom, then a plain Error (a handler bug)', () => {
        expect(() => when({ ...create, createdBy: ADMIN })).toThrow(/isSelf=true/);
        expect(() => when(withFacts({ actor: { isSelf: false, administers: [A] } }))).toThrow(/isSelf=false/);
      });

      it('given an api user, when it creates a token for itself, then NOT_ALLOWED_FOR_API_USERS; an administrator may give it one', () => {
        const bot = { ...ada, kind: 'api' as const };
        thenError('NOT_ALLOWED_FOR_API_USERS', withFacts({ user: bot }));
        thenError('NOT_ALLOWED_FOR_API_USERS', withFacts({ user: bot, actor: { isSelf: true, administers: [A] } }));
        expect(
          decided({ ...withFacts({ user: bot, actor: { isSelf: false, administers: [A] } }), createdBy: ADMIN }),
        ).toHaveLength(2);
      });
    });

    describe('contact users', () => {
      const contact: PatUserFacts = {
        kind: 'contact',
        active: true,
        permissions: { [A]: ['orders:read', 'orders:update', 'requests:read'] },
      };

      it('given the default policy (no contact scopes), then SCOPE_NOT_ALLOWED_FOR_CONTACT', () => {
        thenError('SCOPE_NOT_ALLOWED_FOR_CONTACT', withFacts({ user: contact }));
      });

      it('given contact scopes, then a contact gets those and not others it holds', () => {
        const policies = { [A]: policy({ contactScopes: ['orders:read', 'requests:read'] }) };
        expect(
          decided({ ...withFacts({ user: contact, policies }), scopes: ['orders:read', 'requests:read'] }),
        ).toHaveLength(2);
        thenError('SCOPE_NOT_ALLOWED_FOR_CONTACT', {
          ...withFacts({ user: contact, policies }),
          scopes: ['orders:update'],
        });
        thenError('SCOPE_NOT_ALLOWED_FOR_CONTACT', {
          ...withFacts({ user: contact, policies }),
          scopes: ['orders:read', 'orders:update'],
        });
      });

      it('given contact scopes in one account only, then a token in both is refused', () => {
        const both = { ...contact, permissions: { ...contact.permissions, [B]: ['orders:read'] } };
        const policies = { [A]: policy({ contactScopes: ['orders:read'] }) };
        expect(decided({ ...withFacts({ user: both, policies }), accountIds: [A] })).toHaveLength(2);
        thenError('SCOPE_NOT_ALLOWED_FOR_CONTACT', { ...withFacts({ user: both, policies }), accountIds: [A, B] });
      });

      it('given a contact scope the contact does not hold, then SCOPE_NOT_HELD', () => {
        const policies = { [A]: policy({ contactScopes: ['orders:delete'] }) };
        thenError('SCOPE_NOT_HELD', { ...withFacts({ user: contact, policies }), scopes: ['orders:delete'] });
      });
    });

    describe('expiry', () => {
      it('given an expiry in the past or now, then EXPIRY_IN_PAST', () => {
        thenError('EXPIRY_IN_PAST', { ...create, expiresAt: at(-1) });
        thenError('EXPIRY_IN_PAST', { ...create, expiresAt: NOW });
      });

      it.each(['tomorrow', '2025-02-14', '2025-02-14T10:30:00', ''])(
        'given the expiry %j, then EXPIRY_INVALID',
        (expiresAt) => {
          thenError('EXPIRY_INVALID', { ...create, expiresAt });
        },
      );

      it('given an account with a maximum lifetime, when no expiry is given, then EXPIRY_REQUIRED', () => {
        thenError('EXPIRY_REQUIRED', {
          ...withFacts({ policies: { [B]: policy({ maxLifetimeDays: 90 }) } }),
          accountIds: [A, B],
          scopes: ['orders:read'],
          expiresAt: null,
        });
      });

      it('given maximum lifetimes, then the smallest one applies, up to and including it', () => {
        const policies = { [A]: policy({ maxLifetimeDays: 90 }), [B]: policy({ maxLifetimeDays: 30 }) };
        const command = { ...withFacts({ policies }), accountIds: [A, B] };
        expect(decided({ ...command, expiresAt: at(30) })[1].data).toMatchObject({ expiresAt: at(30) });
        thenError('LIFETIME_EXCEEDS_MAXIMUM', {
          ...command,
          expiresAt: new Date(Date.parse(at(30)) + 1).toISOString(),
        });
        thenError('LIFETIME_EXCEEDS_MAXIMUM', { ...command, expiresAt: at(60) });
        expect(decided({ ...command, accountIds: [A], expiresAt: at(60) })).toHaveLength(2);
      });
    });

    it('given a handler bug (a secret instead of its hash or prefix, a bad time), then a plain Error, not a TokenError', () => {
      for (const command of [
        { ...create, tokenHash: SECRET_1 },
        { ...create, displayPrefix: SECRET_1 },
        { ...create, displayPrefix: 'lk_pat_AbC1x' },
        { ...create, now: 'now' },
      ]) {
        let caught: unknown;
        try {
          when(command);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(Error);
        expect(caught).not.toBeInstanceOf(TokenError);
      }
    });
  });

  describe('RegeneratePat', () => {
    it('given a token with an expiry, when regenerated later, then the old token is revoked and a new one issued with the same lifetime length from now', () => {
      const events = decided(regenerate(at(10)), ...created);
      expect(events).toEqual([
        { type: 'TokenRevoked', data: { tokenId: T1, grantId: G, reason: 'regenerated', revokedBy: U } },
        {
          type: 'TokenIssued',
          data: {
            tokenId: T2,
            grantId: G,
            tokenKind: 'pat',
            tokenHash: hashSecret(SECRET_2),
            displayPrefix: displayPrefix(SECRET_2),
            userId: U,
            accountIds: [A],
            scopes: ['orders:read'],
            issuedAt: at(10),
            expiresAt: at(40),
            issuedBy: U,
          },
        },
      ]);
      expect(given(...created, ...events)).toMatchObject({
        status: 'active',
        currentToken: { tokenId: T2, issuedAt: at(10), expiresAt: at(40), displayPrefix: displayPrefix(SECRET_2) },
      });
    });

    it('given a token without expiry, then the new one has none either', () => {
      const [, issued] = decided(regenerate(at(400)), grantCreated, neverExpiring);
      expect(issued.data).toMatchObject({ expiresAt: null, issuedAt: at(400) });
    });

    it('given an expired token, then it can be regenerated, with a fresh lifetime of the same length', () => {
      const [, issued] = decided(regenerate(at(45)), ...created);
      expect(issued.data).toMatchObject({ expiresAt: at(75) });
    });

    it('given a regenerated token, when regenerated again, then the current (second) token is revoked', () => {
      const first = when(regenerate(at(10)), ...created);
      const [revoked] = decided({ ...regenerate(at(20)), tokenId: 'token-3' }, ...created, ...first);
      expect(revoked.data).toEqual({ tokenId: T2, grantId: G, reason: 'regenerated', revokedBy: U });
    });

    it('given a revoked token, when regenerating, then GRANT_REVOKED; given nothing, GRANT_NOT_FOUND', () => {
      thenError('GRANT_REVOKED', regenerate(at(10)), ...created, ...revokedEvents);
      thenError('GRANT_NOT_FOUND', regenerate(at(10)));
    });

    it('given the new token id equals the current one, then a plain Error (a handler bug)', () => {
      expect(() => when({ ...regenerate(at(10)), tokenId: T1 }, ...created)).toThrow(/new token id/);
    });

    describe('is a creation, checked with the facts of today', () => {
      /** Ada's admin-like PAT: users:delete in A, which she held when it was created. */
      const broad: PatEvent[] = [
        { ...grantCreated, data: { ...grantCreated.data, scopes: ['orders:read', 'users:delete'] } } as PatEvent,
        { ...tokenIssued, data: { ...tokenIssued.data, scopes: ['orders:read', 'users:delete'] } } as PatEvent,
      ];
      const adaAdmin: PatUserFacts = {
        ...ada,
        permissions: { ...ada.permissions, [A]: [...ada.permissions[A], 'users:delete'] },
      };

      it('given a calling token with only personal_access_tokens:create, when it regenerates a broader token, then SCOPE_NOT_HELD (never beyond the calling token)', () => {
        const narrow = { isSelf: true, administers: [], tokenScopes: { [A]: ['personal_access_tokens:create'] } };
        const error = errorOf(() => when(regenerate(at(1), { user: adaAdmin, actor: narrow }), ...broad));
        expect([error.code, error.message]).toEqual([
          'SCOPE_NOT_HELD',
          'the token you are using does not hold "orders:read" in account "acct-a"',
        ]);
        const enough = { ...narrow, tokenScopes: { [A]: ['orders:read', 'users:delete'] } };
        expect(decided(regenerate(at(1), { user: adaAdmin, actor: enough }), ...broad)).toHaveLength(2);
      });

      it('given a calling token that may not act in an account of the token, then ACCOUNT_NOT_HELD', () => {
        const both: PatEvent[] = [
          { ...grantCreated, data: { ...grantCreated.data, accountIds: [A, B] } } as PatEvent,
          { ...tokenIssued, data: { ...tokenIssued.data, accountIds: [A, B] } } as PatEvent,
        ];
        const onlyA = { isSelf: true, administers: [], tokenScopes: { [A]: ada.permissions[A] } };
        thenError('ACCOUNT_NOT_HELD', regenerate(at(1), { actor: onlyA }), ...both);
        expect(decided(regenerate(at(1)), ...both)).toHaveLength(2);
      });

      it('given the user lost a scope, left an account, was deactivated or is unknown, then the creation errors', () => {
        const fewer = { ...ada, permissions: { ...ada.permissions, [A]: ['requests:read'] } };
        thenError(
          'SCOPE_NOT_HELD',
          regenerate(at(1), { user: fewer, actor: { ...adaCalling, tokenScopes: fewer.permissions } }),
          ...created,
        );
        const left = { ...ada, permissions: { [B]: ada.permissions[B] } };
        thenError('ACCOUNT_NOT_HELD', regenerate(at(1), { user: left }), ...created);
        thenError('USER_DEACTIVATED', regenerate(at(1), { user: { ...ada, active: false } }), ...created);
        thenError('USER_UNKNOWN', regenerate(at(1), { user: null }), ...created);
      });

      it("given an account's policy now lets only administrators create, then PAT_CREATION_FORBIDDEN unless the calling token administers it", () => {
        const policies = { [A]: policy({ whoMayCreate: 'administrators' }) };
        thenError('PAT_CREATION_FORBIDDEN', regenerate(at(1), { policies }), ...created);
        expect(
          decided(regenerate(at(1), { policies, actor: { ...adaCalling, administers: [A] } }), ...created),
        ).toHaveLength(2);
      });

      it("given a contact whose account's contact scopes no longer allow a scope, then SCOPE_NOT_ALLOWED_FOR_CONTACT", () => {
        const contact = { ...ada, kind: 'contact' as const };
        const allowed = { [A]: policy({ contactScopes: ['orders:read'] }) };
        const actor = adminActing(['account_tokens:create', 'orders:read']);
        expect(decided(byAdmin(at(1), actor, { user: contact, policies: allowed }), ...created)).toHaveLength(2);
        thenError('SCOPE_NOT_ALLOWED_FOR_CONTACT', byAdmin(at(1), actor, { user: contact, policies: {} }), ...created);
      });

      it('given an api user, when it regenerates its own token, then NOT_ALLOWED_FOR_API_USERS; an administrator may, within their own token', () => {
        const bot = { ...ada, kind: 'api' as const };
        thenError('NOT_ALLOWED_FOR_API_USERS', regenerate(at(1), { user: bot }), ...created);
        const [revoked, issued] = decided(
          byAdmin(at(1), adminActing(['account_tokens:create', 'orders:read']), { user: bot }),
          ...created,
        );
        expect(revoked.data).toMatchObject({ reason: 'regenerated', revokedBy: ADMIN });
        expect(issued.data).toMatchObject({ userId: U, issuedBy: ADMIN });
        thenError('SCOPE_NOT_HELD', byAdmin(at(1), adminActing(['account_tokens:create']), { user: bot }), ...created);
      });

      it('given an administrator of only some accounts of the token, when regenerating it for its user, then NOT_ALLOWED_FOR_OTHERS', () => {
        const both: PatEvent[] = [
          { ...grantCreated, data: { ...grantCreated.data, accountIds: [A, B] } } as PatEvent,
          { ...tokenIssued, data: { ...tokenIssued.data, accountIds: [A, B] } } as PatEvent,
        ];
        thenError(
          'NOT_ALLOWED_FOR_OTHERS',
          byAdmin(at(1), adminActing(['account_tokens:create', 'orders:read'], [A])),
          ...both,
        );
        expect(
          decided(byAdmin(at(1), adminActing(['account_tokens:create', 'orders:read'], [A, B])), ...both),
        ).toHaveLength(2);
      });

      it("given today's maximum lifetime is shorter than the token's, then LIFETIME_EXCEEDS_MAXIMUM; a new expiry within it is taken", () => {
        const policies = { [A]: policy({ maxLifetimeDays: 7 }) };
        thenError('LIFETIME_EXCEEDS_MAXIMUM', regenerate(at(1), { policies }), ...created);
        const [, issued] = decided({ ...regenerate(at(1), { policies }), expiresAt: at(7, at(1)) }, ...created);
        expect(issued.data).toMatchObject({ issuedAt: at(1), expiresAt: at(8) });
      });

      it('given a token without expiry and a maximum lifetime now, then EXPIRY_REQUIRED', () => {
        thenError(
          'EXPIRY_REQUIRED',
          regenerate(at(1), { policies: { [A]: policy({ maxLifetimeDays: 90 }) } }),
          grantCreated,
          neverExpiring,
        );
      });

      it('given a new expiry, then it replaces the lifetime length; null means none; one in the past is refused', () => {
        expect(decided({ ...regenerate(at(1)), expiresAt: at(100) }, ...created)[1].data).toMatchObject({
          expiresAt: at(100),
        });
        expect(decided({ ...regenerate(at(1)), expiresAt: null }, ...created)[1].data).toMatchObject({
          expiresAt: null,
        });
        thenError('EXPIRY_IN_PAST', { ...regenerate(at(1)), expiresAt: at(0) }, ...created);
      });

      it('given facts of another user than the token’s, then a plain Error (a handler bug)', () => {
        expect(() => when({ ...regenerate(at(1)), userId: 'user-bob' }, ...created)).toThrow(/user-bob/);
      });
    });
  });

  describe('RevokePat', () => {
    it('given an active token, when revoked, then TokenRevoked and GrantRevoked', () => {
      expect(decided(revoke, ...created)).toEqual(revokedEvents);
    });

    it('given a regenerated token, when revoked, then the current token is revoked with the grant', () => {
      const regenerated = when(regenerate(at(1)), ...created);
      const [tokenRevoked, grantRevoked] = decided(revoke, ...created, ...regenerated);
      expect(tokenRevoked.data).toEqual({ tokenId: T2, grantId: G, reason: 'user_request' });
      expect(grantRevoked.type).toBe('GrantRevoked');
    });

    it('given who revoked it, then both events name them (an administrator acting on the token of another user)', () => {
      const events = decided({ ...revoke, revokedBy: ADMIN }, ...created);
      expect(events.map((e) => e.data)).toEqual([
        expect.objectContaining({ tokenId: T1, revokedBy: ADMIN }),
        expect.objectContaining({ grantId: G, revokedBy: ADMIN }),
      ]);
      // the platform revoking by itself names no one
      expect(decided(revoke, ...created).some((e) => 'revokedBy' in e.data)).toBe(false);
    });

    it('given a revoked token, when revoked again, then no events and no error', () => {
      expect(when(revoke, ...created, ...revokedEvents)).toEqual([]);
      expect(when({ ...revoke, reason: '' }, ...created, ...revokedEvents)).toEqual([]);
    });

    it('given nothing, then GRANT_NOT_FOUND', () => {
      thenError('GRANT_NOT_FOUND', revoke);
    });

    it.each(['', '  ', 'x'.repeat(501), 'bad\nreason'])('given the reason %j, then REASON_INVALID', (reason) => {
      thenError('REASON_INVALID', { ...revoke, reason }, ...created);
    });
  });

  describe('state', () => {
    it('given nothing, then none', () => {
      expect(given()).toEqual({ status: 'none' });
    });

    it('given GrantCreated and TokenIssued, then active with the settings and the current token', () => {
      expect(given(...created)).toEqual({
        status: 'active',
        grantId: G,
        userId: U,
        name: 'CI pipeline',
        description: 'Deploys the shop.',
        scopes: ['orders:read'],
        accountIds: [A],
        createdBy: U,
        currentToken: { tokenId: T1, issuedAt: NOW, expiresAt: at(30), displayPrefix: displayPrefix(SECRET_1) },
      });
      expect(given(grantCreated)).toMatchObject({ status: 'active', currentToken: null });
    });

    it('given a revoked grant, then revoked with when and why, keeping the last token', () => {
      expect(given(...created, ...revokedEvents)).toMatchObject({
        status: 'revoked',
        revokedAt: at(5),
        reason: 'user_request',
        currentToken: { tokenId: T1 },
      });
    });

    it('patStatus: active before the expiry, expired from it, revoked once revoked; a token without expiry never expires', () => {
      const active = given(...created) as ExistingPat;
      expect(patStatus(active, at(29))).toBe('active');
      expect(patStatus(active, at(30))).toBe('expired');
      expect(patStatus(given(...created, ...revokedEvents) as ExistingPat, at(1))).toBe('revoked');
      expect(patStatus(given(...created, ...revokedEvents) as ExistingPat, at(100))).toBe('revoked');
      expect(patStatus(given(grantCreated, neverExpiring) as ExistingPat, at(36500))).toBe('active');
    });

    it('refuses to fold a grant that is not a personal one', () => {
      const clientGrant = { type: 'GrantCreated', data: { ...grantCreated.data, kind: 'client' } } as PatEvent;
      expect(() => given(clientGrant)).toThrow(/not a personal access token grant/);
    });

    it('names its stream by the grant id', () => {
      expect(grantStream(G)).toEqual({ type: 'grant', id: G });
    });
  });

  it('emits events that validate against the contracts and hold no secret (all those the tests above emitted; runs last)', () => {
    expect(emitted.length).toBeGreaterThan(40);
    expect(new Set(emitted.map((event) => event.type))).toEqual(
      new Set(['GrantCreated', 'TokenIssued', 'TokenRevoked', 'GrantRevoked']),
    );
    for (const envelope of envelopesOf('token-service', 'grant', G, emitted)) {
      expect(validateEvent(envelope)).toEqual({ ok: true, event: envelope });
    }
    for (const event of emitted) {
      const json = JSON.stringify(event);
      for (const secret of SECRETS) expect(json).not.toContain(secret);
      // The only token-like text is the display prefix (`lk_pat_` + 4 characters, as the contract
      // shows it); take it out and no `lk_pat_` is left.
      const prefix = event.type === 'TokenIssued' ? event.data.displayPrefix : null;
      if (prefix !== null) expect(prefix).toMatch(/^lk_pat_[0-9A-Za-z]{4}$/);
      expect(prefix === null ? json : json.split(JSON.stringify(prefix)).join('""')).not.toContain('lk_pat_');
    }
  });
});
