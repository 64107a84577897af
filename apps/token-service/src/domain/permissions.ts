/**
 * The permission model, in one place. Own tokens (`/v1/personal-access-tokens…`):
 * `personal_access_tokens:create` / `:read` / `:delete`. Everyone's tokens in an account
 * (`/v1/accounts/{a}/…`): `account_tokens:*` — read (list, history), create (issue or regenerate
 * for others), delete (revoke), update (the token policy). The calling token must carry the scope
 * (its effective scopes: its own ∩ the user's current permissions), so the user must hold it too.
 * Reading an account's token policy needs only `personal_access_tokens:read`: members must see
 * the maximum lifetime their tokens may have. Your own OAuth authorizations (`/v1/me/authorizations`):
 * `grants:read` / `grants:delete`; an account's OAuth grants (`/v1/accounts/{a}/grants`):
 * `account_tokens:read` / `:delete`, like its PATs.
 */
export const SCOPES = {
  own: {
    create: 'personal_access_tokens:create',
    read: 'personal_access_tokens:read',
    delete: 'personal_access_tokens:delete',
  },
  /** Your own OAuth authorizations (Access & Security): every human user holds these over their own grants. */
  grants: {
    read: 'grants:read',
    delete: 'grants:delete',
  },
  account: {
    create: 'account_tokens:create',
    read: 'account_tokens:read',
    update: 'account_tokens:update',
    delete: 'account_tokens:delete',
  },
} as const;
