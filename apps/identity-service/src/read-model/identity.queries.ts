import type { DataSource } from 'typeorm';

export interface AccountView {
  accountId: string;
  name: string;
  kind: 'directory' | 'standard';
  parentAccountId: string | null;
  createdAt: string;
}

export interface MembershipView {
  accountId: string;
  roles: string[];
  permissions: string[];
}

export interface UserView {
  userId: string;
  kind: 'human' | 'api' | 'contact';
  email: string | null;
  displayName: string;
  status: 'active' | 'deactivated';
  homeAccountId: string;
  memberships: MembershipView[];
  createdAt: string;
  updatedAt: string;
}

interface UserRow {
  user_id: string;
  kind: UserView['kind'];
  email: string | null;
  display_name: string;
  status: UserView['status'];
  home_account_id: string;
  created_at: Date;
  updated_at: Date;
  profile_updated_at: Date;
}

interface MembershipRow {
  user_id: string;
  account_id: string;
  roles: string[];
  permissions: string[];
  updated_at: Date;
}

/** Reads of the identity read models (never of the event store). */
export class IdentityQueries {
  constructor(private readonly db: DataSource) {}

  async account(accountId: string): Promise<AccountView | null> {
    const rows = await this.db.query('SELECT * FROM accounts WHERE account_id = $1', [accountId]);
    return rows.length === 0 ? null : toAccount(rows[0]);
  }

  /** Accounts among `accountIds`, oldest first, after the keyset `after` ([createdAt, accountId]). */
  async accounts(accountIds: readonly string[], limit: number, after: [string, string] | null): Promise<AccountView[]> {
    const rows = await this.db.query(
      `SELECT * FROM accounts WHERE account_id = ANY($1::uuid[])
         AND ($2::timestamptz IS NULL OR (created_at, account_id) > ($2::timestamptz, $3::uuid))
       ORDER BY created_at, account_id LIMIT $4`,
      [accountIds, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(toAccount);
  }

  /** Accounts under a directory account, oldest first, after the keyset `after`. */
  async children(parentAccountId: string, limit: number, after: [string, string] | null): Promise<AccountView[]> {
    const rows = await this.db.query(
      `SELECT * FROM accounts WHERE parent_account_id = $1
         AND ($2::timestamptz IS NULL OR (created_at, account_id) > ($2::timestamptz, $3::uuid))
       ORDER BY created_at, account_id LIMIT $4`,
      [parentAccountId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(toAccount);
  }

  /**
   * The user with every membership: for the user themselves (`/v1/me`) and for the checks the
   * service makes, never for an account's API (see {@link userInAccount}).
   */
  async user(userId: string): Promise<UserView | null> {
    const rows: UserRow[] = await this.db.query('SELECT * FROM users WHERE user_id = $1', [userId]);
    if (rows.length === 0) return null;
    const [user] = await this.views(rows, null);
    return user;
  }

  /**
   * The user as account `accountId`'s API shows it: its membership there only (none when the user
   * is not a member), and `updatedAt` from what that account can see (the user's own changes and
   * that membership), so nothing tells which other accounts the user is in or when they changed.
   */
  async userInAccount(userId: string, accountId: string): Promise<UserView | null> {
    const rows: UserRow[] = await this.db.query('SELECT * FROM users WHERE user_id = $1', [userId]);
    if (rows.length === 0) return null;
    const [user] = await this.views(rows, accountId);
    return user;
  }

  async userIdByEmail(email: string): Promise<string | null> {
    const rows = await this.db.query('SELECT user_id FROM users WHERE email = $1', [email.trim().toLowerCase()]);
    return rows.length === 0 ? null : rows[0].user_id;
  }

  async userForLogin(email: string): Promise<{ userId: string; kind: UserView['kind']; active: boolean } | null> {
    const rows = await this.db.query('SELECT user_id, kind, status FROM users WHERE email = $1', [email]);
    return rows.length === 0
      ? null
      : { userId: rows[0].user_id, kind: rows[0].kind, active: rows[0].status === 'active' };
  }

  /** Members of an account as its API shows them ({@link userInAccount}), in joining order, after the keyset `after` ([joinedAt, userId]). */
  async members(
    accountId: string,
    limit: number,
    after: [string, string] | null,
  ): Promise<Array<UserView & { joinedAt: string }>> {
    const rows: Array<UserRow & { joined_at: Date }> = await this.db.query(
      `SELECT u.*, m.created_at AS joined_at FROM memberships m JOIN users u USING (user_id)
       WHERE m.account_id = $1 AND ($2::timestamptz IS NULL OR (m.created_at, m.user_id) > ($2::timestamptz, $3::uuid))
       ORDER BY m.created_at, m.user_id LIMIT $4`,
      [accountId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    const users = await this.views(rows, accountId);
    return users.map((u, i) => ({ ...u, joinedAt: rows[i].joined_at.toISOString() }));
  }

  /** Views of users with their memberships: all of them (`inAccount` null) or only the one in `inAccount`. */
  private async views(rows: UserRow[], inAccount: string | null): Promise<UserView[]> {
    if (rows.length === 0) return [];
    const memberships: MembershipRow[] = await this.db.query(
      `SELECT user_id, account_id, roles, permissions, updated_at FROM memberships
       WHERE user_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR account_id = $2::uuid)
       ORDER BY created_at, account_id`,
      [rows.map((r) => r.user_id), inAccount],
    );
    return rows.map((r) => {
      const own = memberships.filter((m) => m.user_id === r.user_id);
      // In an account's view, the latest change that account can see; for the user, every change.
      const updatedAt =
        inAccount === null
          ? r.updated_at
          : own.reduce((latest, m) => (m.updated_at > latest ? m.updated_at : latest), r.profile_updated_at);
      return {
        userId: r.user_id,
        kind: r.kind,
        email: r.email,
        displayName: r.display_name,
        status: r.status,
        homeAccountId: r.home_account_id,
        memberships: own.map((m) => ({ accountId: m.account_id, roles: m.roles, permissions: m.permissions })),
        createdAt: r.created_at.toISOString(),
        updatedAt: updatedAt.toISOString(),
      };
    });
  }
}

function toAccount(r: {
  account_id: string;
  name: string;
  kind: AccountView['kind'];
  parent_account_id: string | null;
  created_at: Date;
}): AccountView {
  return {
    accountId: r.account_id,
    name: r.name,
    kind: r.kind,
    parentAccountId: r.parent_account_id,
    createdAt: r.created_at.toISOString(),
  };
}
