import { expect } from 'vitest';
import { TEST_PASSWORD, createUser } from '../testing/factories.js';
import { describeFailure } from '../testing/failure-of.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';

// Security cases 55 and 56 (the access-token half; the stream half is apps/server/test/session-ends).

function signIn(api: TestApi, email: string) {
  return api.caller().auth.login({ email, password: TEST_PASSWORD, transport: 'body' });
}

async function isAccepted(api: TestApi, accessToken: string): Promise<boolean> {
  try {
    await api.caller({ accessToken }).auth.me();
    return true;
  } catch {
    return false;
  }
}

/** True if the token still refreshes; a refusal must say the session ended (not a rate limit). */
async function canRefresh(api: TestApi, refreshToken: string, ip = '127.0.0.1'): Promise<boolean> {
  try {
    await api.caller({ ip }).auth.refresh({ transport: 'body', refreshToken });
    return true;
  } catch (error) {
    expect(describeFailure(error).appCode).toBe('SESSION_EXPIRED');
    return false;
  }
}

test(
  'case 55: a password change racing 10 refreshes leaves no session from before it alive',
  { timeout: 90_000 },
  async ({ api }) => {
    for (let round = 0; round < 2; round++) {
      const user = await createUser(api.db);
      const changer = await signIn(api, user.email);
      const phones = await Promise.all(Array.from({ length: 10 }, () => signIn(api, user.email)));

      // Ten devices keep refreshing while the first changes the password, so refreshes are in
      // flight when it commits: whatever order the database serialises them in, nothing a refresh
      // returned may outlive the change.
      // Each device refreshes from an address of its own (the per-IP refresh limit stays out of it).
      let isChanged = false;
      const accessTokens: string[] = [];
      const lastRefreshTokens: { ip: string; token: string }[] = [];
      const keepRefreshing = async (phone: { refreshToken: string | null }, index: number) => {
        const ip = `10.${round}.0.${index}`;
        let current = phone.refreshToken ?? '';
        while (!isChanged) {
          try {
            const next = await api.caller({ ip }).auth.refresh({ transport: 'body', refreshToken: current });
            accessTokens.push(next.accessToken);
            current = next.refreshToken ?? '';
          } catch {
            break; // refused: the change has ended this session
          }
        }
        lastRefreshTokens.push({ ip, token: current });
      };
      const change = api
        .caller({ accessToken: changer.accessToken })
        .auth.changePassword({
          currentPassword: TEST_PASSWORD,
          newPassword: `a new passphrase ${round}`,
          transport: 'body',
        })
        .finally(() => void (isChanged = true));
      const [changed] = await Promise.all([change, ...phones.map(keepRefreshing)]);
      expect(accessTokens.length).toBeGreaterThan(10);

      for (const accessToken of [changer.accessToken, ...phones.map((p) => p.accessToken), ...accessTokens]) {
        expect(await isAccepted(api, accessToken)).toBe(false);
      }
      // The newest token of every device (the only one a refresh could still take) is refused.
      for (const { ip, token } of lastRefreshTokens) expect(await canRefresh(api, token, ip)).toBe(false);
      // Only the changer's new session is left, in the list and in use.
      const sessions = await api.db
        .selectFrom('refreshTokens')
        .innerJoin('users', 'users.id', 'refreshTokens.userId')
        .select('refreshTokens.familyId')
        .distinct()
        .where('refreshTokens.userId', '=', user.id)
        .where('refreshTokens.revokedAt', 'is', null)
        .whereRef('refreshTokens.sessionEpoch', '=', 'users.sessionEpoch')
        .execute();
      expect(sessions).toHaveLength(1);
      expect(await isAccepted(api, changed.accessToken)).toBe(true);
    }
  },
);

test('case 56: logoutAll refuses every session token of the user at once, the caller’s included', async ({ api }) => {
  const user = await createUser(api.db);
  const laptop = await signIn(api, user.email);
  const phone = await signIn(api, user.email);
  expect(await isAccepted(api, phone.accessToken)).toBe(true);

  await api.caller({ accessToken: laptop.accessToken }).auth.logoutAll();

  expect(await isAccepted(api, laptop.accessToken)).toBe(false);
  expect(await isAccepted(api, phone.accessToken)).toBe(false);
  expect(await canRefresh(api, phone.refreshToken ?? '')).toBe(false);
  // Signing in again works: the epoch moved on, the account did not lock.
  expect(await isAccepted(api, (await signIn(api, user.email)).accessToken)).toBe(true);
});

test('logout of one device refuses that device’s session token at once and leaves the others', async ({ api }) => {
  const user = await createUser(api.db);
  const laptop = await signIn(api, user.email);
  const phone = await signIn(api, user.email);

  await api.caller().auth.logout({ transport: 'body', refreshToken: laptop.refreshToken ?? '' });

  expect(await isAccepted(api, laptop.accessToken)).toBe(false);
  expect(await isAccepted(api, phone.accessToken)).toBe(true);
});
