import { expect, test as vitestTest } from 'vitest';
import { runCleanup } from '../maintenance/cleanup.js';
import { createUser } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test, openTestApi, type TestApi } from '../testing/test-api.js';
import { createTestApiConfig } from '../testing/test-config.js';

// Security case 83 (issue 17): a cookie-mode `auth.logout` from a foreign Origin needs no sign-in
// and wrote one security-log row per call — 1,000 rows a second from anyone. On the main of
// before each call below stored a row, logout had no limit and rows were kept forever.

const DAY_MS = 86_400_000;
const foreign = { origin: 'https://evil.example', isSameOrigin: false };

function rowsFrom(api: TestApi, ips: string[]) {
  return api.db
    .selectFrom('auditEvents')
    .select(['event', 'ip'])
    .where('event', '=', 'origin_rejected')
    .where('ip', 'in', ips)
    .execute();
}

vitestTest(
  'case 83: thirty parallel foreign-origin logouts from one address store one row; past the limit they get 429',
  async () => {
    const config = createTestApiConfig();
    const rateLimits = { ...config.rateLimits, logoutPerIp: { limit: 10, windowSeconds: 900 } };
    const api = await openTestApi({ config: { ...config, rateLimits } });
    try {
      const ip = '192.0.2.81';
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, () => failureOf(api.caller({ ...foreign, ip }).auth.logout())),
      );
      const codes = outcomes.map((failure) => failure.appCode);
      expect(codes.filter((code) => code === 'CSRF_REJECTED')).toHaveLength(10);
      expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
      expect(await rowsFrom(api, [ip])).toEqual([{ event: 'origin_rejected', ip }]);
      // Every refusal that got as far as the Origin check still leaves a log line for the operator.
      const lines = api.logs.filter((line) => (line.obj as { audit?: string; ip?: string }).ip === ip);
      expect(lines.filter((line) => (line.obj as { audit?: string }).audit === 'origin_rejected')).toHaveLength(10);
    } finally {
      await api.close();
    }
  },
  120_000,
);

test(
  'case 83: refusals are throttled per IPv6 /64, not per address; another /64 gets its own row',
  { timeout: 120_000 },
  async ({ api }) => {
    const sameNetwork = Array.from({ length: 20 }, (_, i) => `2001:db8:81:1::${(i + 1).toString(16)}`);
    const otherNetwork = '2001:db8:81:2::1';
    await Promise.all(
      [...sameNetwork, otherNetwork].map((ip) => failureOf(api.caller({ ...foreign, ip }).auth.logout())),
    );
    const rows = await rowsFrom(api, [...sameNetwork, otherNetwork]);
    expect(rows).toHaveLength(2);
    expect(rows.filter((row) => row.ip === otherNetwork)).toHaveLength(1);

    // A minute later the address may be recorded again (one row per address per minute).
    api.advanceClock(61);
    try {
      await failureOf(api.caller({ ...foreign, ip: sameNetwork[5]! }).auth.logout());
      expect(await rowsFrom(api, sameNetwork)).toHaveLength(2);
    } finally {
      api.advanceClock(-61);
    }
  },
);

test('case 83: the cleanup deletes security-log rows older than AUDIT_RETENTION_DAYS and keeps the rest', async ({
  api,
}) => {
  const user = await createUser(api.db);
  const now = api.now();
  const retention = api.config.cleanup.auditRetentionDays!;
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY_MS);
  await api.db
    .insertInto('auditEvents')
    .values([
      { userId: user.id, event: 'sign_in', detail: '{}', createdAt: at(retention + 1) },
      { userId: null, event: 'csrf_rejected', detail: '{}', createdAt: at(retention + 30) },
      { userId: user.id, event: 'password_changed', detail: '{}', createdAt: at(retention - 1) },
    ])
    .execute();

  // Retention off (AUDIT_RETENTION_DAYS=0): nothing goes.
  const keepForever = { ...api.config, cleanup: { ...api.config.cleanup, auditRetentionDays: null } };
  expect((await runCleanup(api.db, keepForever, now)).auditEvents).toBe(0);

  expect((await runCleanup(api.db, api.config, now)).auditEvents).toBe(2);
  const left = await api.db.selectFrom('auditEvents').select('event').where('createdAt', '<', at(1)).execute();
  expect(left).toEqual([{ event: 'password_changed' }]);
});
