import { expect, test } from 'vitest';
import type { RegistrationMode } from '../constants.js';
import { TEST_PASSWORD, uniqueEmail } from '../testing/factories.js';
import { describeFailure, failureOf } from '../testing/failure-of.js';
import { openTestApi, type TestApi } from '../testing/test-api.js';
import { createTestApiConfig } from '../testing/test-config.js';
import { createInvite, type InviteDeps } from './registration.service.js';

// Case 58: who may sign up. Each mode runs on its own empty database, so "the first account
// becomes an admin" is tested where it applies. Ten parallel sign-ups hash ten passwords: the
// timeouts leave room for a loaded machine.

async function openApi(registration: RegistrationMode): Promise<TestApi> {
  const base = createTestApiConfig();
  return openTestApi({ config: { ...base, operator: { ...base.operator, registration } } });
}

function operatorOf(api: TestApi): InviteDeps {
  return { db: api.db, logger: { info() {}, warn() {}, error() {} }, now: api.now, config: api.config };
}

function register(api: TestApi, email: string, inviteCode?: string) {
  return api.caller().auth.register({ email, password: TEST_PASSWORD, transport: 'body', inviteCode });
}

async function isAdmin(api: TestApi, email: string): Promise<boolean> {
  const row = await api.db.selectFrom('users').select('isAdmin').where('email', '=', email).executeTakeFirstOrThrow();
  return row.isAdmin;
}

test('open registration: anyone signs up; of ten parallel first sign-ups on an empty database exactly one is admin (case 58)', async () => {
  const api = await openApi('open');
  try {
    expect(await api.caller().auth.registrationMode()).toEqual({ mode: 'open' });
    const emails = Array.from({ length: 10 }, () => uniqueEmail('first'));
    const results = await Promise.all(emails.map((email) => register(api, email)));
    expect(results).toHaveLength(10);
    const admins = await api.db.selectFrom('users').select('email').where('isAdmin', '=', true).execute();
    expect(admins).toHaveLength(1);
    const later = uniqueEmail('later');
    await register(api, later);
    expect(await isAdmin(api, later)).toBe(false);
    // The admin sees it on `me`; nobody else does.
    const adminUser = results.find((r) => r.user.email === admins[0]?.email);
    const me = await (await api.callerFor({ id: adminUser!.user.id })).auth.me();
    expect(me.isAdmin).toBe(true);
  } finally {
    await api.close();
  }
}, 120_000);

test('closed registration refuses every sign-up, with or without an invite (case 58)', async () => {
  const api = await openApi('closed');
  try {
    expect(await api.caller().auth.registrationMode()).toEqual({ mode: 'closed' });
    const { code } = await createInvite(operatorOf(api));
    for (const attempt of [register(api, uniqueEmail()), register(api, uniqueEmail(), code)]) {
      expect(await failureOf(attempt)).toMatchObject({ code: 'FORBIDDEN', appCode: 'REGISTRATION_CLOSED' });
    }
    expect(await api.db.selectFrom('users').select('id').execute()).toHaveLength(0);
  } finally {
    await api.close();
  }
}, 120_000);

test('invite registration: no code, a wrong code, a used code and an expired code are refused; a good one works once (case 58)', async () => {
  const api = await openApi('invite');
  try {
    const operator = operatorOf(api);
    const refused = { code: 'FORBIDDEN', appCode: 'INVITE_INVALID' };
    expect(await failureOf(register(api, uniqueEmail()))).toMatchObject(refused);
    expect(await failureOf(register(api, uniqueEmail(), 'not-a-real-code'))).toMatchObject(refused);

    const { code } = await createInvite(operator);
    const first = uniqueEmail('invited');
    await register(api, first, code);
    expect(await isAdmin(api, first)).toBe(true); // the first account of the database
    expect(await failureOf(register(api, uniqueEmail(), code))).toMatchObject(refused);

    const stale = await createInvite(operator);
    api.advanceClock(api.config.operator.inviteTtlDays * 24 * 3600 + 1);
    expect(await failureOf(register(api, uniqueEmail(), stale.code))).toMatchObject(refused);
    api.advanceClock(-(api.config.operator.inviteTtlDays * 24 * 3600 + 1));

    // An invite made out to one address serves only that address.
    const named = await createInvite(operator, { email: 'Named@Example.test' });
    expect(await failureOf(register(api, uniqueEmail(), named.code))).toMatchObject(refused);
    await register(api, 'named@example.test', named.code);
    // The code is stored only as a hash.
    const rows = await api.db.selectFrom('invites').select(['codeHash', 'usedBy']).execute();
    expect(rows.map((r) => r.codeHash)).not.toContain(code);
    expect(rows.filter((r) => r.usedBy !== null)).toHaveLength(2);
  } finally {
    await api.close();
  }
}, 120_000);

test('one invite used by ten parallel sign-ups creates exactly one account; a refused email does not burn it (case 58)', async () => {
  const api = await openApi('invite');
  try {
    const { code } = await createInvite(operatorOf(api));
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => register(api, uniqueEmail(), code)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(describeFailure(outcome.reason).appCode).toBe('INVITE_INVALID');
    }
    expect(await api.db.selectFrom('users').select('id').execute()).toHaveLength(1);

    // A sign-up that fails after claiming (email taken) rolls the claim back.
    const taken = (await api.db.selectFrom('users').select('email').executeTakeFirstOrThrow()).email;
    const second = await createInvite(operatorOf(api));
    expect(await failureOf(register(api, taken, second.code))).toMatchObject({ appCode: 'EMAIL_TAKEN' });
    await register(api, uniqueEmail(), second.code);
  } finally {
    await api.close();
  }
}, 120_000);

// Issue 17: the invite was checked only after argon2 had hashed the password, so every bad code
// cost a hash (and a flood of them filled the hash queue: SERVER_BUSY). Fails on old main.
test('case 85: invite-only sign-up checks the invite before hashing: twenty bad codes at once hash nothing', async () => {
  const base = createTestApiConfig({ overrides: { passwordHashQueueMax: 2 } });
  const api = await openTestApi({ config: { ...base, operator: { ...base.operator, registration: 'invite' } } });
  try {
    const { code } = await createInvite(operatorOf(api), { email: 'invited@example.com' });
    const attempts = [
      ...Array.from({ length: 18 }, (_, i) => register(api, uniqueEmail('flood'), `not-a-code-${i}`)),
      register(api, uniqueEmail('not-invited'), code), // a good code for another address
      register(api, uniqueEmail('no-code')),
    ];
    const outcomes = await Promise.all(attempts.map(failureOf));
    expect(new Set(outcomes.map((failure) => failure.appCode))).toEqual(new Set(['INVITE_INVALID']));
    expect(await api.db.selectFrom('users').select('id').execute()).toEqual([]);
    // The code is still good for its own address.
    expect((await register(api, 'invited@example.com', code)).user.email).toBe('invited@example.com');
  } finally {
    await api.close();
  }
}, 120_000);
