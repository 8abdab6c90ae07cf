import { expect } from 'vitest';
import { TEST_PASSWORD, createUser } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';

// Cases 63–64: the session list, and revoking a session ends it at once.

function signIn(api: TestApi, email: string, userAgent: string) {
  return api.caller({ userAgent }).auth.login({ email, password: TEST_PASSWORD, transport: 'body' });
}

test('case 63: account.sessions lists each device once and marks the caller’s as current', async ({ api }) => {
  const user = await createUser(api.db);
  const laptop = await signIn(api, user.email, 'Laptop Firefox');
  await signIn(api, user.email, 'Phone Safari');
  const sessions = await api.caller({ accessToken: laptop.accessToken }).account.sessions();
  expect(sessions.map((s) => s.userAgent).sort()).toEqual(['Laptop Firefox', 'Phone Safari']);
  expect(sessions.filter((s) => s.current).map((s) => s.userAgent)).toEqual(['Laptop Firefox']);
});

test('case 64: account.revokeSession ends that session’s refresh and access token at once, only that one', async ({
  api,
}) => {
  const user = await createUser(api.db);
  const laptop = await signIn(api, user.email, 'Laptop');
  const phone = await signIn(api, user.email, 'Phone');
  const fromLaptop = api.caller({ accessToken: laptop.accessToken });
  const phoneSession = (await fromLaptop.account.sessions()).find((s) => !s.current);

  await fromLaptop.account.revokeSession({ id: phoneSession?.id ?? '' });

  const refresh = await failureOf(
    api.caller().auth.refresh({ transport: 'body', refreshToken: phone.refreshToken ?? '' }),
  );
  expect(refresh.appCode).toBe('SESSION_EXPIRED');
  expect((await failureOf(api.caller({ accessToken: phone.accessToken }).auth.me())).code).toBe('UNAUTHORIZED');
  expect((await fromLaptop.auth.me()).email).toBe(user.email);
  // Another user's session id is NOT_FOUND, and nothing of theirs ends.
  const other = await createUser(api.db);
  const otherSession = await signIn(api, other.email, 'Other');
  const otherId = (await api.caller({ accessToken: otherSession.accessToken }).account.sessions())[0]?.id ?? '';
  expect((await failureOf(fromLaptop.account.revokeSession({ id: otherId }))).code).toBe('NOT_FOUND');
  expect((await api.caller({ accessToken: otherSession.accessToken }).auth.me()).email).toBe(other.email);
});

test('case 65: account.revokeOtherSessions signs out every other device and keeps this one', async ({ api }) => {
  const user = await createUser(api.db);
  const laptop = await signIn(api, user.email, 'Laptop');
  const phone = await signIn(api, user.email, 'Phone');
  const tablet = await signIn(api, user.email, 'Tablet');
  const fromLaptop = api.caller({ accessToken: laptop.accessToken });

  expect(await fromLaptop.account.revokeOtherSessions()).toEqual({ ended: 2 });

  for (const device of [phone, tablet]) {
    expect((await failureOf(api.caller({ accessToken: device.accessToken }).auth.me())).code).toBe('UNAUTHORIZED');
  }
  expect((await fromLaptop.account.sessions()).map((s) => s.userAgent)).toEqual(['Laptop']);
});
