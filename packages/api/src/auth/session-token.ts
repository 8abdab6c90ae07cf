import { randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify, type JWTHeaderParameters } from 'jose';
import type { ApiConfig } from '../config.js';

/*
 * The session token: the short-lived JWT a sign-in (and each refresh) gives a client, sent as
 * `Authorization: Bearer`. On the wire and in the SDK it keeps tRPC-era names (`accessToken`,
 * `ACCESS_TOKEN_TTL_SECONDS`); in this codebase "access token" means a personal access token
 * (`llmc_pat_…`, tokens/personal-access-tokens.ts).
 */

type JwtConfig = ApiConfig['jwt'];

/** Who a token speaks for: the user, the session (refresh family) and the user's session epoch. */
export interface SessionTokenSubject {
  userId: string;
  sessionId: string;
  epoch: number;
}

export interface SessionTokenClaims extends SessionTokenSubject {
  /** Seconds since the epoch. */
  issuedAt: number;
}

/**
 * Signs a short-lived HS256 session token with the current key. It names its session (`sid`) and
 * the epoch it was issued under (`sep`), so ending that session, or all of them, refuses it at once.
 */
export async function signSessionToken(
  config: JwtConfig,
  subject: SessionTokenSubject,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const [current] = config.keys;
  if (!current) throw new Error('no JWT signing key configured');
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + config.accessTokenTtlSeconds;
  const token = await new SignJWT({ typ: 'access', sid: subject.sessionId, sep: subject.epoch })
    .setProtectedHeader({ alg: 'HS256', kid: current.kid, typ: 'JWT' })
    .setSubject(subject.userId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(current.secret);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

/**
 * Verifies a session token with everything pinned: algorithm, key id, issuer, audience, and the
 * claims jose would otherwise treat as optional. Returns null for any invalid token.
 */
export async function verifySessionToken(
  config: JwtConfig,
  token: string,
  now: Date,
): Promise<SessionTokenClaims | null> {
  if (token.length > 4096) return null;
  try {
    const { payload } = await jwtVerify(token, (header: JWTHeaderParameters) => findKey(config, header), {
      algorithms: ['HS256'],
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      clockTolerance: config.clockToleranceSeconds,
      currentDate: now,
    });
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (payload.typ !== 'access') return null;
    if (typeof payload.sub !== 'string' || typeof payload.iat !== 'number') return null;
    if (typeof payload['sid'] !== 'string' || !Number.isSafeInteger(payload['sep'])) return null;
    // jose accepts an iat in the future; a token "issued" later than now is forged or skewed.
    if (payload.iat > nowSeconds + config.clockToleranceSeconds) return null;
    return { userId: payload.sub, sessionId: payload['sid'], epoch: payload['sep'] as number, issuedAt: payload.iat };
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
    throw error;
  }
}

function findKey(config: JwtConfig, header: JWTHeaderParameters): Uint8Array {
  const key = config.keys.find((k) => k.kid === header.kid);
  // An unknown kid is a failed verification, not a lookup by attacker-chosen value.
  if (!key) throw new errors.JWSSignatureVerificationFailed('unknown key id');
  return key.secret;
}
