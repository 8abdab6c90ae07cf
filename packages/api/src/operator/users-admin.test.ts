import { findRowsOfUser } from '@llm-council/db/testing';
import { expect } from 'vitest';
import { createConversation, createUser, newApiKey, saveApiKey, TEST_PASSWORD } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';
import {
  deleteUser,
  disableUser,
  enableUser,
  listAllUsers,
  promoteUser,
  setServerKeyAllowed,
  UnknownUserError,
  type OperatorDeps,
} from './users-admin.service.js';

// Case 57: what the operator's user commands do to a signed-in user. The CLI itself (argument
// parsing, output, exit codes) is spawned for real in apps/server/test/users-cli.test.ts.

function operatorOf(api: TestApi): OperatorDeps {
  return { db: api.db, logger: { info() {}, warn() {}, error() {} }, now: api.now, config: api.config };
}

async function signIn(api: TestApi, email: string) {
  return api.caller().auth.login({ email, password: TEST_PASSWORD, transport: 'body' });
}

test('a disabled user is refused on the next call with ACCOUNT_DISABLED, cannot refresh or sign in, and can again once enabled (case 57)', async ({
  api,
}) => {
  const user = await createUser(api.db);
  const session = await signIn(api, user.email);
  const caller = api.caller({ accessToken: session.accessToken });
  await caller.conversations.list({});

  await disableUser(operatorOf(api), user.email);
  expect(await failureOf(caller.conversations.list({}))).toMatchObject({
    code: 'FORBIDDEN',
    appCode: 'ACCOUNT_DISABLED',
  });
  expect(
    await failureOf(api.caller().auth.refresh({ transport: 'body', refreshToken: session.refreshToken ?? '' })),
  ).toMatchObject({ code: 'UNAUTHORIZED' });
  expect(await failureOf(signIn(api, user.email))).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_DISABLED' });

  await enableUser(operatorOf(api), user.email);
  // The old session stays ended; a new sign-in works.
  expect(await failureOf(caller.conversations.list({}))).toMatchObject({ appCode: 'SESSION_EXPIRED' });
  const again = await signIn(api, user.email);
  await api.caller({ accessToken: again.accessToken }).conversations.list({});
}, 120_000); // four argon2 checks: room for a loaded machine

test('deleting a user removes every row of theirs and refuses their token (case 57)', async ({ api }) => {
  const user = await createUser(api.db);
  const other = await createUser(api.db);
  const conversation = await createConversation(api.db, user.id);
  await createConversation(api.db, other.id);
  await saveApiKey(api.db, api.config, user.id, newApiKey());
  const caller = await api.callerFor(user);

  await deleteUser(operatorOf(api), user.email.toUpperCase());
  expect(await failureOf(caller.conversations.list({}))).toMatchObject({ code: 'UNAUTHORIZED' });
  // The same deletion as account.delete (case 66): no table keeps a row naming the user.
  const left = await findRowsOfUser(api.db, { id: user.id, needles: [user.id, user.email, conversation.id] });
  expect(Object.entries(left.mentioning).filter(([, n]) => n > 0)).toEqual([]);
  expect(Object.entries(left.byUserId).filter(([, n]) => n > 0)).toEqual([]);
  expect(await api.db.selectFrom('conversations').select('id').where('userId', '=', other.id).execute()).toHaveLength(
    1,
  );
  await expect(deleteUser(operatorOf(api), user.email)).rejects.toBeInstanceOf(UnknownUserError);
});

test('promote and the server-key flag show in the listing', async ({ api }) => {
  const user = await createUser(api.db);
  await promoteUser(operatorOf(api), user.email);
  await setServerKeyAllowed(operatorOf(api), user.email, false);
  const listed = (await listAllUsers(operatorOf(api))).find((u) => u.id === user.id);
  expect(listed).toMatchObject({ isAdmin: true, serverKeyAllowed: false, disabledAt: null });
  await setServerKeyAllowed(operatorOf(api), user.email, null);
  expect((await listAllUsers(operatorOf(api))).find((u) => u.id === user.id)?.serverKeyAllowed).toBeNull();
});
