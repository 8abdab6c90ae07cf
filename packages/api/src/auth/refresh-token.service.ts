import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '@llm-council/db';
import type { Context } from '../context.js';
import { appError } from '../errors.js';
import { recordAudit } from '../audit/audit.js';
import {
  claimLiveTokenOfFamily,
  claimRefreshToken,
  findRefreshTokenByHash,
  insertRefreshToken,
  revokeFamily,
} from './refresh-tokens.repository.js';

type Deps = Pick<Context, 'db' | 'config' | 'logger' | 'now'>;

/** The device a session belongs to, remembered for the session list. */
export interface SessionDevice {
  userAgent: string | null;
  ip: string | null;
}

export interface IssuedRefreshToken {
  token: string;
  /** The session's id: a family lives from sign-in to sign-out. */
  familyId: string;
  expiresAt: Date;
  userId: string;
  /** The user's session epoch the token was issued under. */
  epoch: number;
}

/** 32 random bytes, base64url: opaque, so it can be revoked (a JWT could not). */
function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a new family at login/register: its absolute lifetime begins now. */
export async function startRefreshFamily(
  deps: Pick<Deps, 'db' | 'config' | 'now'>,
  userId: string,
  device: SessionDevice,
): Promise<IssuedRefreshToken> {
  const expiresAt = new Date(deps.now().getTime() + deps.config.refreshToken.ttlSeconds * 1000);
  return issueInFamily(deps.db, {
    userId,
    familyId: randomUUID(),
    parentId: null,
    expiresAt,
    sessionEpoch: null,
    ...device,
  });
}

async function issueInFamily(
  db: Kysely<Database>,
  args: {
    userId: string;
    familyId: string;
    parentId: string | null;
    expiresAt: Date;
    sessionEpoch: number | null;
  } & SessionDevice,
): Promise<IssuedRefreshToken> {
  const token = generateToken();
  const epoch = await insertRefreshToken(db, {
    userId: args.userId,
    familyId: args.familyId,
    parentId: args.parentId,
    expiresAt: args.expiresAt,
    sessionEpoch: args.sessionEpoch,
    userAgent: args.userAgent,
    ip: args.ip,
    tokenHash: hashRefreshToken(token),
  });
  return { token, familyId: args.familyId, expiresAt: args.expiresAt, userId: args.userId, epoch };
}

const GRACE_CLAIM_ATTEMPTS = 5;

/**
 * Exchanges a refresh token for its successor. A token is good once: presenting it again after
 * the grace window is treated as theft and revokes the whole family (both the thief's and the
 * owner's copies stop working). Within the grace window — concurrent tabs racing with one
 * token — the caller gets a successor of the family's current token instead, so the family
 * never forks: exactly one live token remains.
 */
export async function rotateRefreshToken(
  deps: Deps,
  token: string,
  device: SessionDevice,
): Promise<IssuedRefreshToken> {
  const tokenHash = hashRefreshToken(token);
  const now = deps.now();
  const rotated = await deps.db.transaction().execute(async (trx) => {
    const claimed = await claimRefreshToken(trx, tokenHash, now);
    if (!claimed) return null;
    return issueInFamily(trx, { ...successorOf(claimed), ...device });
  });
  if (rotated) return rotated;

  const existing = await findRefreshTokenByHash(deps.db, tokenHash);
  if (!existing || existing.revokedAt || existing.expiresAt <= now || !existing.rotatedAt) throw sessionExpired();

  const sinceRotation = now.getTime() - existing.rotatedAt.getTime();
  if (sinceRotation > deps.config.refreshToken.graceSeconds * 1000) {
    await revokeFamily(deps.db, existing.familyId, now);
    deps.logger.warn({ userId: existing.userId, familyId: existing.familyId }, 'refresh token reuse: family revoked');
    await recordAudit(deps, {
      userId: existing.userId,
      event: 'refresh_token_reuse',
      ip: device.ip,
      userAgent: device.userAgent,
      detail: { sessionId: existing.familyId },
    });
    throw sessionExpired();
  }
  for (let attempt = 0; attempt < GRACE_CLAIM_ATTEMPTS; attempt++) {
    const successor = await deps.db.transaction().execute(async (trx) => {
      const live = await claimLiveTokenOfFamily(trx, existing.familyId, now);
      return live ? issueInFamily(trx, { ...successorOf(live), ...device }) : null;
    });
    if (successor) return successor;
    await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
  }
  throw sessionExpired();
}

function successorOf(parent: { id: string; userId: string; familyId: string; expiresAt: Date; sessionEpoch: number }) {
  // The family's expiry is copied, never extended: rotation cannot outlive login + 7 days. The
  // epoch is the parent's, which the claim just checked against the user's current one.
  return {
    userId: parent.userId,
    familyId: parent.familyId,
    parentId: parent.id,
    expiresAt: parent.expiresAt,
    sessionEpoch: parent.sessionEpoch,
  };
}

/** Logout: revokes the token's whole family. Unknown tokens are ignored (logout is idempotent). */
export async function revokeRefreshToken(deps: Deps, token: string): Promise<void> {
  const existing = await findRefreshTokenByHash(deps.db, hashRefreshToken(token));
  if (existing) await revokeFamily(deps.db, existing.familyId, deps.now());
}

function sessionExpired() {
  return appError('UNAUTHORIZED', 'SESSION_EXPIRED', 'Your session has ended; please sign in again');
}
