import { sql } from 'kysely';
import type { Context } from '../context.js';
import { appError } from '../errors.js';
import { insertUser, type PublicUser } from './users.repository.js';
import { recordAudit } from '../audit/audit.js';
import { hashInviteCode, newInviteCode } from './invite-codes.js';
import { claimInvite, findUsableInvite, insertInvite, setInviteUser } from './invites.repository.js';

type RegistrationDeps = Pick<Context, 'db' | 'config' | 'now'>;

/** What minting an invite needs: it also runs outside the server, from `pnpm users:invite`. */
export type InviteDeps = Pick<Context, 'db' | 'logger' | 'now'> & { config: Pick<Context['config'], 'operator'> };

/** One fixed advisory-lock key: account creation is serialised, so "is this the first account?" has one answer. */
const ACCOUNT_CREATION_LOCK = 7_007_001;

const INVITE_INVALID_MESSAGE = 'This invite code is not valid: it may be mistyped, used already or expired';

/**
 * Refuses a sign-up the operator's REGISTRATION mode does not allow, before any password is
 * hashed: `invite` needs a code that is unused, unexpired and (if made out to one) for this
 * email — otherwise every bad code would cost an argon2 hash. The code is only looked at here;
 * it is taken when the account is created, so of two sign-ups racing for it one wins.
 */
export async function assertRegistrationAllowed(
  deps: Pick<Context, 'db' | 'config' | 'now'>,
  input: { email: string; inviteCode?: string | undefined },
): Promise<void> {
  const mode = deps.config.operator.registration;
  if (mode === 'closed') {
    throw appError('FORBIDDEN', 'REGISTRATION_CLOSED', 'Sign-up is closed on this server; ask its operator');
  }
  if (mode !== 'invite') return;
  if (!input.inviteCode) throw appError('FORBIDDEN', 'INVITE_INVALID', 'Sign-up on this server needs an invite code');
  const invite = await findUsableInvite(deps.db, hashInviteCode(input.inviteCode), deps.now());
  if (!isInviteFor(invite, input.email)) throw appError('FORBIDDEN', 'INVITE_INVALID', INVITE_INVALID_MESSAGE);
}

function isInviteFor(invite: { email: string | null } | undefined, email: string): boolean {
  return invite !== undefined && (invite.email === null || invite.email === email);
}

/**
 * Creates the account in one transaction under a lock: an invite (when the mode asks for one)
 * is claimed, the user inserted, and the very first account of an empty database made an admin.
 * A failure (email taken, invite bad) rolls it all back: the invite stays usable.
 */
export async function createAccount(
  deps: RegistrationDeps,
  input: { email: string; passwordHash: string; inviteCode?: string | undefined },
): Promise<{ user: PublicUser; isAdmin: boolean; inviteId: string | null }> {
  const needsInvite = deps.config.operator.registration === 'invite';
  return deps.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(ACCOUNT_CREATION_LOCK)})`.execute(trx);
    const invite = needsInvite ? await claimInvite(trx, hashInviteCode(input.inviteCode ?? ''), deps.now()) : undefined;
    if (needsInvite && !isInviteFor(invite, input.email)) {
      throw appError('FORBIDDEN', 'INVITE_INVALID', INVITE_INVALID_MESSAGE);
    }
    const existing = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    const isAdmin = existing === undefined;
    const user = await insertUser(trx, { email: input.email, passwordHash: input.passwordHash, isAdmin });
    if (!user) throw appError('CONFLICT', 'EMAIL_TAKEN', 'An account with this email already exists');
    if (invite) await setInviteUser(trx, invite.id, user.id);
    return { user, isAdmin, inviteId: invite?.id ?? null };
  });
}

/** A single-use invite, valid for INVITE_TTL_DAYS; the code is returned once and only its hash kept. */
export async function createInvite(
  deps: InviteDeps,
  options: { email?: string | undefined } = {},
): Promise<{ code: string; expiresAt: Date }> {
  const code = newInviteCode();
  const expiresAt = new Date(deps.now().getTime() + deps.config.operator.inviteTtlDays * 24 * 3600 * 1000);
  const email = options.email?.trim().toLowerCase() || null;
  const invite = await insertInvite(deps.db, { codeHash: hashInviteCode(code), email, expiresAt, createdBy: null });
  await recordAudit(deps, { userId: null, event: 'invite_created', detail: { inviteId: invite.id } });
  return { code, expiresAt };
}
