import { DIRECTORY_ACCOUNT_ID, stableId } from '@latchkey/domain';
import type { AccountCommands } from '../accounts/account.commands';
import { IdentityError } from '../domain';
import type { IdentityQueries } from '../read-model/identity.queries';
import type { UserCommands } from '../users/user.commands';

export interface BootstrapConfig {
  directoryName: string;
  adminEmail: string;
  adminPassword: string;
}

export type BootstrapOutcome = 'disabled' | 'created' | 'already-done';

export const BOOTSTRAP_ACTOR = 'bootstrap';

/** The bootstrap administrator's user id (derived from the e-mail: the same on every start and instance). */
export function bootstrapAdminId(email: string): string {
  return stableId(`bootstrap:admin:${email}`);
}

/**
 * First start: the directory account and its first administrator (a human `account_admin`,
 * with the configured password if any). Idempotent: the ids are derived from fixed names, so a
 * later start, or two instances starting at once, find the streams already there and do nothing.
 */
export async function bootstrapDirectory(
  config: BootstrapConfig,
  deps: { accounts: AccountCommands; users: UserCommands; queries: IdentityQueries },
): Promise<BootstrapOutcome> {
  if (config.adminEmail === '') return 'disabled';
  const directoryId = DIRECTORY_ACCOUNT_ID;
  const adminId = bootstrapAdminId(config.adminEmail);
  let created = false;
  if (!(await deps.queries.account(directoryId))) {
    created = await ignoreIf('ACCOUNT_EXISTS', () =>
      deps.accounts.createDirectory(directoryId, config.directoryName, BOOTSTRAP_ACTOR),
    );
  }
  if (!(await deps.queries.user(adminId))) {
    const registered = await ignoreIf('USER_EXISTS', () =>
      deps.users.register(
        {
          userId: adminId,
          accountId: directoryId,
          kind: 'human',
          email: config.adminEmail,
          displayName: 'Administrator',
          roles: ['account_admin'],
          ...(config.adminPassword === '' ? {} : { password: config.adminPassword }),
        },
        BOOTSTRAP_ACTOR,
      ),
    );
    created = created || registered;
  } else {
    // after an upgrade the catalogue may grant the administrator's role more (e.g. account_tokens):
    // re-resolve it, so the first administrator can use what the new version offers
    await deps.users.refreshPermissions(adminId, BOOTSTRAP_ACTOR);
  }
  return created ? 'created' : 'already-done';
}

/** Runs `work`; a domain error with `code` means another instance got there first. */
async function ignoreIf(code: string, work: () => Promise<unknown>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    if (err instanceof IdentityError && err.code === code) return false;
    throw err;
  }
}
