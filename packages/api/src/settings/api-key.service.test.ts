import { expect } from 'vitest';
import { apiTest as test } from '../testing/test-api.js';
import { failureOf } from '../testing/failure-of.js';
import { createUser, newApiKey, saveApiKey } from '../testing/factories.js';
import type { TestApi } from '../testing/test-api.js';
import { resolveApiKey } from './api-key.service.js';
import { findProvider } from './providers.js';

// Security case 31 at the service level (the council router, which calls this before any
// upstream request, is tested with the council work): an unreadable stored key is a clear
// "re-enter your key" error — never a 500, never garbage sent upstream, never the server key.

async function twoKeyOwners(api: TestApi) {
  const owners = [];
  for (let i = 0; i < 2; i++) {
    const user = await createUser(api.db);
    const apiKey = newApiKey();
    await saveApiKey(api.db, api.config, user.id, apiKey);
    const stored = await api.db
      .selectFrom('userApiKeys')
      .select('encryptedKey')
      .where('userId', '=', user.id)
      .executeTakeFirstOrThrow();
    owners.push({ userId: user.id, apiKey, encryptedKey: stored.encryptedKey });
  }
  const [alice, bob] = owners;
  if (!alice || !bob) throw new Error('setup failed');
  return { alice, bob };
}

/** The provider as the operator configured it, with a server key that must never stand in for a user's. */
function providerWithServerKey(api: TestApi) {
  return { ...findProvider(api.config), fallbackApiKey: 'sk-server-fallback-key' };
}

async function expectUnreadable(promise: Promise<unknown>): Promise<void> {
  const failure = await failureOf(promise);
  expect(failure.code).toBe('PRECONDITION_FAILED');
  expect(failure.appCode).toBe('API_KEY_UNREADABLE');
  expect(failure.message).toMatch(/re-enter your key/);
}

test('the owner gets their own key back, and the server key is not used', async ({ api }) => {
  const { alice } = await twoKeyOwners(api);
  const resolved = await resolveApiKey(api, alice.userId, providerWithServerKey(api));
  expect(resolved).toEqual({ apiKey: alice.apiKey, source: 'user' });
});

test('a ciphertext swapped between two users is a re-enter-your-key error, not the other key', async ({ api }) => {
  const { alice, bob } = await twoKeyOwners(api);
  await api.db
    .updateTable('userApiKeys')
    .set({ encryptedKey: bob.encryptedKey })
    .where('userId', '=', alice.userId)
    .execute();
  await expectUnreadable(resolveApiKey(api, alice.userId, providerWithServerKey(api)));
});

test('a stored key with one bit flipped, an unknown kid or a foreign format is a re-enter-your-key error', async ({
  api,
}) => {
  const { alice } = await twoKeyOwners(api);
  const [version, kid, encoded] = alice.encryptedKey.split('.');
  const body = Buffer.from(encoded ?? '', 'base64url');
  body[body.length - 20] = (body[body.length - 20] ?? 0) ^ 0x01;
  const variants = [
    `${version}.${kid}.${body.toString('base64url')}`,
    `${version}.k9.${encoded}`,
    `${version}.${kid}.${(encoded ?? '').slice(0, 10)}`,
    alice.apiKey,
  ];
  for (const encryptedKey of variants) {
    await api.db.updateTable('userApiKeys').set({ encryptedKey }).where('userId', '=', alice.userId).execute();
    await expectUnreadable(resolveApiKey(api, alice.userId, providerWithServerKey(api)));
  }
});
