import { randomBytes } from 'node:crypto';
import { createInvite, disableUser, listUserAudit } from '@llm-council/api';
import { expect } from 'vitest';
import { createLogger } from '../src/logger.js';
import { serverTest } from './helpers/fixtures.js';
import { call, expectError, type CallOptions } from './helpers/http.js';
import { uniqueEmail, type TestServer } from './helpers/test-server.js';

// The security log: every event of issue 9's list is written by a real flow over HTTP, with its
// time, user, address and device, the owner reads it back through settings.securityActivity, the
// operator through `pnpm users:audit` — and a scan of every stored row and every log line finds
// none of the secrets those flows carried (passwords, the API key, tokens, the invite code).

const test = serverTest({ env: { REGISTRATION: 'invite' } });

const DEVICE = 'SecurityLogTest/1.0 (the device column)';
// Argon2 at production cost, some twenty times, on a shared 2-core machine.
const FLOW_TIMEOUT_MS = 240_000;

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

function operatorDeps(server: TestServer) {
  return { db: server.db, logger: createLogger('silent'), now: () => server.now(), config: server.config.api };
}

function send(server: TestServer, path: string, options: CallOptions = {}) {
  return call(server, path, { ...options, headers: { 'User-Agent': DEVICE, ...options.headers } });
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

async function login(server: TestServer, email: string, password: string): Promise<Tokens> {
  const response = await send(server, 'auth.login', { input: { email, password, transport: 'body' } });
  expect(response.status, response.text).toBe(200);
  return response.data as Tokens;
}

test(
  'every security event is recorded by a real flow with time, user, IP and device, and no secret reaches the log table or the logs',
  async ({ server }) => {
    const email = uniqueEmail('audited');
    const password = secret('first Password ü');
    const wrongPassword = secret('wrong guess');
    const newPassword = secret('second Password ü');
    const apiKey = `sk-or-v1-${randomBytes(24).toString('hex')}`;
    const unknownEmail = uniqueEmail('nobody');
    const { code: inviteCode } = await createInvite(operatorDeps(server));
    const seen: string[] = [password, wrongPassword, newPassword, apiKey, inviteCode];
    const remember = (tokens: Tokens) => {
      seen.push(tokens.accessToken, tokens.refreshToken);
      return tokens;
    };

    // invite_used + sign_in (registration signs in)
    const registered = await send(server, 'auth.register', {
      input: { email, password, inviteCode, transport: 'body' },
    });
    expect(registered.status, registered.text).toBe(200);
    remember(registered.data as Tokens);

    // sign_in_failed: a wrong password, and an unknown account (stored without its email)
    expectError(
      await send(server, 'auth.login', { input: { email, password: wrongPassword, transport: 'body' } }),
      'UNAUTHORIZED',
    );
    expectError(
      await send(server, 'auth.login', { input: { email: unknownEmail, password: wrongPassword, transport: 'body' } }),
      'UNAUTHORIZED',
    );

    // sign_in, api_key_saved, api_key_deleted
    const session = remember(await login(server, email, password));
    const saved = await send(server, 'settings.saveApiKey', {
      input: { provider: 'openrouter', apiKey },
      accessToken: session.accessToken,
    });
    expect(saved.status, saved.text).toBe(200);
    const deleted = await send(server, 'settings.deleteApiKey', {
      input: { provider: 'openrouter' },
      accessToken: session.accessToken,
    });
    expect(deleted.status).toBe(200);

    // refresh_token_reuse: a rotated token presented again after the grace window
    const rotated = await send(server, 'auth.refresh', {
      input: { transport: 'body', refreshToken: session.refreshToken },
    });
    remember(rotated.data as Tokens);
    server.advanceClock(server.config.api.refreshToken.graceSeconds + 1);
    expectError(
      await send(server, 'auth.refresh', { input: { transport: 'body', refreshToken: session.refreshToken } }),
      'UNAUTHORIZED',
    );

    // password_changed, then logout_all
    const beforeChange = remember(await login(server, email, password));
    const changed = await send(server, 'auth.changePassword', {
      input: { currentPassword: password, newPassword, transport: 'body' },
      accessToken: beforeChange.accessToken,
    });
    expect(changed.status, changed.text).toBe(200);
    const afterChange = remember(changed.data as Tokens);
    expect((await send(server, 'auth.logoutAll', { accessToken: afterChange.accessToken })).status).toBe(200);

    // origin_rejected: the session cookie sent by a foreign page; csrf_rejected: a text/plain POST
    const cookieLogin = await send(server, 'auth.login', {
      input: { email, password: newPassword, transport: 'cookie' },
    });
    const cookie = cookieLogin.cookies[server.config.api.refreshToken.cookieName] ?? '';
    seen.push(cookie, (cookieLogin.data as { accessToken: string }).accessToken);
    const foreign = await send(server, 'auth.refresh', {
      input: { transport: 'cookie' },
      headers: { Origin: 'https://evil.example', Cookie: `${server.config.api.refreshToken.cookieName}=${cookie}` },
    });
    expect(expectError(foreign, 'FORBIDDEN').data.appCode).toBe('CSRF_REJECTED');
    const plain = await send(server, 'auth.logout', {
      rawBody: JSON.stringify({ transport: 'body', refreshToken: cookie }),
      contentType: 'text/plain',
    });
    expect(plain.status).toBe(415);

    // The owner reads their log back.
    const current = remember(await login(server, email, newPassword));
    const activity = await send(server, 'settings.securityActivity', {
      type: 'query',
      accessToken: current.accessToken,
    });
    const rows = activity.data as { event: string; at: string; ip: string | null; userAgent: string | null }[];
    const events = rows.map((r) => r.event);
    for (const event of [
      'invite_used',
      'sign_in',
      'sign_in_failed',
      'api_key_saved',
      'api_key_deleted',
      'refresh_token_reuse',
      'password_changed',
      'logout_all',
      'origin_rejected',
    ]) {
      expect(events, `${event} in the owner's log`).toContain(event);
    }
    expect(events).not.toContain('csrf_rejected'); // nobody is signed in on a cross-site form post
    for (const row of rows) {
      expect(row.ip).toMatch(/127\.0\.0\.1/);
      expect(row.userAgent).toBe(DEVICE);
      expect(Date.parse(row.at)).toBeGreaterThan(Date.now() - 10 * 60_000);
    }

    // lockout: fifteen wrong guesses at once — ten verified, one lockout recorded, not five.
    await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        send(server, 'auth.login', { input: { email, password: `${wrongPassword}-${i}`, transport: 'body' } }),
      ),
    );
    // user_disabled (the operator's CLI), then the operator's view of the same log.
    await disableUser(operatorDeps(server), email);
    const operatorView = await listUserAudit(operatorDeps(server), email);
    expect(operatorView.filter((r) => r.event === 'lockout')).toHaveLength(1);
    expect(operatorView.map((r) => r.event)).toEqual(expect.arrayContaining([...new Set(events), 'user_disabled']));

    const anonymous = await server.db
      .selectFrom('auditEvents')
      .select(['event', 'detail', 'ip'])
      .where('userId', 'is', null)
      .execute();
    expect(anonymous.map((r) => r.event).sort()).toEqual(['csrf_rejected', 'invite_created', 'sign_in_failed']);
    expect(anonymous.find((r) => r.event === 'sign_in_failed')?.detail).toEqual({ reason: 'unknown_account' });

    // The secret scan: every row of the table and every log line of the server.
    const stored = JSON.stringify(await server.db.selectFrom('auditEvents').selectAll().execute());
    const logs = server.logs.join('\n');
    expect(logs).toContain('"audit":"refresh_token_reuse"');
    for (const value of [...seen, unknownEmail]) {
      expect(value.length).toBeGreaterThan(10);
      expect(stored.includes(value), `a secret (${value.slice(0, 6)}…) in audit_events`).toBe(false);
      if (value !== unknownEmail)
        expect(logs.includes(value), `a secret (${value.slice(0, 6)}…) in the logs`).toBe(false);
    }
  },
  FLOW_TIMEOUT_MS,
);

test('settings.securityActivity shows only the caller’s own events', async ({ server }) => {
  const first = await createInvite(operatorDeps(server));
  const second = await createInvite(operatorDeps(server));
  const register = async (inviteCode: string) => {
    const response = await send(server, 'auth.register', {
      input: { email: uniqueEmail('own-log'), password: secret('a Password'), inviteCode, transport: 'body' },
    });
    return response.data as Tokens & { user: { id: string } };
  };
  const ada = await register(first.code);
  const bob = await register(second.code);
  await send(server, 'auth.logoutAll', { accessToken: bob.accessToken });
  const activity = await send(server, 'settings.securityActivity', { type: 'query', accessToken: ada.accessToken });
  expect((activity.data as { event: string }[]).map((r) => r.event).sort()).toEqual(['invite_used', 'sign_in']);
  expect((await send(server, 'settings.securityActivity', { type: 'query' })).status).toBe(401);
});
