import {
  decideActive,
  type IntrospectedToken,
  type UserFacts,
  type VerifyOptions,
  type VerifyResult,
} from '@latchkey/token-verifier';
import type { DataSource } from 'typeorm';

interface FactsRow {
  token_id: string;
  token_kind: string;
  grant_id: string;
  user_id: string | null;
  client_id: string | null;
  account_ids: string[];
  scopes: string[];
  expires_at: Date | null;
  revoked: boolean;
  user_kind: 'human' | 'api' | 'contact' | null;
  user_status: 'active' | 'deactivated' | null;
  user_version: number | null;
  permissions: Record<string, string[]> | null;
  application_status: 'active' | 'disabled' | 'deleted' | null;
  application_version: number | null;
  allowed_scopes: string[] | null;
  application_console: boolean | null;
  application_account_ids: string[] | null;
}

/** What token-service's tables say about a token, and the verdict of the shared rule. */
export interface Introspection {
  result: VerifyResult;
  userVersion: number | null;
  applicationVersion: number | null;
  /** `pat`, `access` or `refresh`; null when the token is unknown. */
  kind: string | null;
}

/**
 * Whether a token is active, decided by token-service from its own tables — the token's hash row,
 * the directory's user (status, permissions) and application (status) — with the SAME rule every
 * verifier applies to its projection (`decideActive` of @latchkey/token-verifier). One round trip.
 * Used by the internal introspection endpoint (RFC 7662, the verifiers' miss fallback), by
 * token-service's own verifier as its miss fallback, and by `POST /v1/personal-access-tokens/check`.
 */
export class TokenIntrospection {
  constructor(
    private readonly db: DataSource,
    private readonly clock: () => Date,
  ) {}

  async byHash(tokenHash: string, options: VerifyOptions = {}): Promise<Introspection> {
    const rows: FactsRow[] = await this.db.query(
      `SELECT h.token_id, h.grant_id, h.token_kind, h.user_id, h.client_id, h.account_ids, h.scopes, h.expires_at, h.revoked,
              u.kind AS user_kind, u.status AS user_status, u.version AS user_version,
              (SELECT json_object_agg(p.account_id, p.permissions) FROM user_permissions p WHERE p.user_id = h.user_id) AS permissions,
              a.status AS application_status, a.version AS application_version, a.allowed_scopes,
              a.account_ids AS application_account_ids, a.console AS application_console
         FROM token_hashes h
         LEFT JOIN directory_users u ON u.user_id = h.user_id
         LEFT JOIN directory_applications a ON a.client_id = h.client_id
        WHERE h.token_hash = $1`,
      [tokenHash],
    );
    if (rows.length === 0)
      return { result: { active: false, reason: 'unknown' }, userVersion: null, applicationVersion: null, kind: null };
    const r = rows[0];
    const user: UserFacts | undefined =
      r.user_id === null || r.user_status === null
        ? undefined
        : {
            deactivated: r.user_status !== 'active',
            kind: r.user_kind,
            permissions: new Map(Object.entries(r.permissions ?? {})),
          };
    const result = decideActive(
      {
        tokenId: r.token_id,
        grantId: r.grant_id,
        userId: r.user_id,
        clientId: r.client_id,
        accountIds: r.account_ids,
        scopes: r.scopes,
        expiresAtMs: r.expires_at === null ? null : r.expires_at.getTime(),
        revoked: r.revoked ? 'token_revoked' : null,
      },
      user,
      r.client_id === null || r.application_status === null
        ? undefined
        : {
            disabled: r.application_status === 'disabled' || r.application_status === 'deleted',
            console: r.application_console === true,
            allowedScopes: r.allowed_scopes,
            accountIds: r.application_account_ids,
          },
      options,
      this.clock().getTime(),
    );
    return { result, userVersion: r.user_version, applicationVersion: r.application_version, kind: r.token_kind };
  }

  /**
   * The RFC 7662 answer: `scope` holds what the token may do in every one of its accounts (its
   * scopes ∩ the user's permissions there), plus our fields (token and grant ids, accounts, the
   * subject's kind, and the versions of the user and application the answer was decided from, so a
   * verifier can prefer its own newer state).
   */
  async answer(tokenHash: string): Promise<IntrospectedToken & { token_type?: string }> {
    const { result, userVersion, applicationVersion, kind } = await this.byHash(tokenHash);
    // refresh tokens are for token-service alone: no verifier is told one is active
    if (!result.active || kind === 'refresh') return { active: false };
    return {
      active: true,
      token_type: 'Bearer',
      scope: result.effectiveScopes.join(' '),
      ...(result.subject !== null ? { sub: result.subject } : {}),
      ...(result.subjectKind !== null ? { subject_kind: result.subjectKind } : {}),
      ...(result.clientId !== null ? { client_id: result.clientId } : {}),
      token_id: result.tokenId,
      grant_id: result.grantId,
      accounts: [...result.accountIds],
      ...(result.expiresAt !== null ? { exp: Math.floor(Date.parse(result.expiresAt) / 1000) } : {}),
      ...(userVersion !== null ? { user_version: userVersion } : {}),
      ...(applicationVersion !== null ? { application_version: applicationVersion } : {}),
    };
  }
}
