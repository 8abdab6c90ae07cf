import { randomBytes } from 'node:crypto';
import { reencryptAllApiKeys } from '@llm-council/api';
import { startFakeUpstream, type FakeUpstream } from '@llm-council/council/fake-upstream';
import { createTestDb } from '@llm-council/db/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CouncilClient } from '@llm-council/sdk';
import { decryptStoredKey } from './helpers/api-key-cipher.js';
import { call, expectError, failureOf } from './helpers/http.js';
import { registerUser, startTestServer, type TestServer } from './helpers/test-server.js';

// Security cases 30 and 32 (and the BYOK half of 27): keys are validated upstream, stored
// encrypted, shown only as a hint, scoped to their owner, and survive key rotation.

const newKey = () => `sk-or-v1-${randomBytes(24).toString('hex')}`;
const GOOD_KEYS = Array.from({ length: 6 }, newKey);
const REJECTED_KEY = newKey();

let upstream: FakeUpstream;
let server: TestServer;
let alice: { client: CouncilClient; userId: string };

beforeAll(async () => {
  upstream = await startFakeUpstream({
    port: 0,
    keys: Object.fromEntries(GOOD_KEYS.map((key) => [key, { valid: true, limit: 10, usage: 1 }])),
  });
  server = await startTestServer({ env: { OPENROUTER_BASE_URL: upstream.url } });
  alice = await registerUser(server);
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

function storedRows(userId: string) {
  return server.db.selectFrom('userApiKeys').selectAll().where('userId', '=', userId).execute();
}

test('a saved key is answered and listed only by its hint, and the database holds only ciphertext', async () => {
  const apiKey = GOOD_KEYS[0] ?? '';
  const saved = await alice.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey });
  expect(saved).toMatchObject({ provider: 'openrouter', keyHint: `…${apiKey.slice(-6)}` });
  expect(saved.validation).toMatchObject({ status: 'valid', limit: 10 });
  expect(JSON.stringify(saved)).not.toContain(apiKey);

  const listed = await alice.client.settings.listApiKeys.query();
  expect(listed).toHaveLength(1);
  expect(Object.keys(listed[0] ?? {}).sort()).toEqual(['createdAt', 'keyHint', 'provider', 'updatedAt']);
  expect(listed[0]?.keyHint).toBe(`…${apiKey.slice(-6)}`);

  const rows = await storedRows(alice.userId);
  expect(rows).toHaveLength(1);
  const dump = JSON.stringify(rows);
  // Neither the key nor any long piece of it: only the 6-character hint may appear.
  for (let start = 0; start + 12 <= apiKey.length; start += 4)
    expect(dump).not.toContain(apiKey.slice(start, start + 12));
  const stored = rows[0]?.encryptedKey ?? '';
  expect(stored).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+$/);
  const keys = server.config.api.encryptionKeys;
  expect(decryptStoredKey(stored, keys, { userId: alice.userId, provider: 'openrouter' })).toBe(apiKey);
  // Bound to its row: under another user's name the same ciphertext does not open.
  expect(() => decryptStoredKey(stored, keys, { userId: crypto.randomUUID(), provider: 'openrouter' })).toThrow();
});

test('encrypting the same key twice gives different ciphertexts (a fresh IV each time)', async () => {
  const bob = await registerUser(server);
  const apiKey = GOOD_KEYS[1] ?? '';
  await bob.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey });
  const first = (await storedRows(bob.userId))[0]?.encryptedKey;
  await bob.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey });
  const rows = await storedRows(bob.userId);
  expect(rows).toHaveLength(1);
  expect(rows[0]?.encryptedKey).not.toBe(first);
});

test('saving again replaces the key, and deleting it removes it', async () => {
  const carol = await registerUser(server);
  await carol.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: GOOD_KEYS[2] ?? '' });
  await carol.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: GOOD_KEYS[3] ?? '' });
  const listed = await carol.client.settings.listApiKeys.query();
  expect(listed.map((k) => k.keyHint)).toEqual([`…${GOOD_KEYS[3]?.slice(-6)}`]);

  expect(await carol.client.settings.deleteApiKey.mutate({ provider: 'openrouter' })).toEqual({ ok: true });
  expect(await carol.client.settings.listApiKeys.query()).toEqual([]);
  expect(await storedRows(carol.userId)).toEqual([]);
  const again = await failureOf(carol.client.settings.deleteApiKey.mutate({ provider: 'openrouter' }));
  expect(again.code).toBe('NOT_FOUND');
});

test('a key the provider rejects is refused and nothing is stored', async () => {
  const dave = await registerUser(server);
  const failure = await failureOf(
    dave.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: REJECTED_KEY }),
  );
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.appCode).toBe('API_KEY_REJECTED');
  expect(failure.message).not.toContain(REJECTED_KEY);
  expect(await storedRows(dave.userId)).toEqual([]);
});

test('malformed keys and unknown providers are BAD_REQUEST naming the field', async () => {
  const short = await failureOf(alice.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: 'sk-1' }));
  expect(short.fieldErrors).toHaveProperty('apiKey');
  const spaced = await failureOf(
    alice.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: 'sk-or-v1 with spaces inside' }),
  );
  expect(spaced.fieldErrors).toHaveProperty('apiKey');
  const unknown = await failureOf(alice.client.settings.saveApiKey.mutate({ provider: 'acme-ai', apiKey: newKey() }));
  expect(unknown.code).toBe('BAD_REQUEST');
  expect(unknown.appCode).toBe('UNKNOWN_PROVIDER');
  const hostile = await failureOf(alice.client.settings.deleteApiKey.mutate({ provider: "openrouter' OR '1'='1" }));
  expect(hostile.fieldErrors).toHaveProperty('provider');
});

test("one user never sees, replaces or deletes another user's key", async () => {
  const before = await storedRows(alice.userId);
  const eve = await registerUser(server);
  expect(await eve.client.settings.listApiKeys.query()).toEqual([]);
  const remove = await failureOf(eve.client.settings.deleteApiKey.mutate({ provider: 'openrouter' }));
  expect(remove.code).toBe('NOT_FOUND');

  const smuggled = await call(server, 'settings.saveApiKey', {
    accessToken: (await eve.client.getAccessToken()) ?? '',
    input: { provider: 'openrouter', apiKey: GOOD_KEYS[4], userId: alice.userId },
  });
  expect(expectError(smuggled, 'BAD_REQUEST').message).toContain('userId');
  await eve.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: GOOD_KEYS[4] ?? '' });
  expect(await storedRows(alice.userId)).toEqual(before);
});

test('after rotation a key stored under the old kid still decrypts, and re-encryption moves every row to the new kid', async () => {
  const oldKey = { kid: 'old', key: randomBytes(32) };
  const newEncryptionKey = { kid: 'new', key: randomBytes(32) };
  const env = (keys: { kid: string; key: Buffer }[]) => ({
    OPENROUTER_BASE_URL: upstream.url,
    API_KEY_ENCRYPTION_KEY: keys.map((k) => `${k.kid}:${k.key.toString('base64')}`).join(','),
  });
  const dbHandle = await createTestDb();
  try {
    const before = await startTestServer({ dbHandle, env: env([oldKey]) });
    const owners: { userId: string; apiKey: string }[] = [];
    for (const apiKey of GOOD_KEYS.slice(0, 2)) {
      const user = await registerUser(before);
      await user.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey });
      owners.push({ userId: user.userId, apiKey });
    }
    await before.close();

    // The operator adds a new current key and keeps the old one for decryption.
    const after = await startTestServer({ dbHandle, env: env([newEncryptionKey, oldKey]) });
    try {
      const rows = () => dbHandle.db.selectFrom('userApiKeys').select(['userId', 'encryptedKey']).execute();
      expect((await rows()).every((r) => r.encryptedKey.startsWith('v1.old.'))).toBe(true);

      const outcome = await reencryptAllApiKeys(dbHandle.db, after.config.api);
      expect(outcome).toEqual({ reencrypted: 2, alreadyCurrent: 0, unreadable: 0 });
      for (const row of await rows()) {
        expect(row.encryptedKey.startsWith('v1.new.')).toBe(true);
        const owner = owners.find((o) => o.userId === row.userId);
        // Readable with the new key alone: the old one can now be retired.
        expect(
          decryptStoredKey(row.encryptedKey, [newEncryptionKey], { userId: row.userId, provider: 'openrouter' }),
        ).toBe(owner?.apiKey);
      }
      expect(await reencryptAllApiKeys(dbHandle.db, after.config.api)).toEqual({
        reencrypted: 0,
        alreadyCurrent: 2,
        unreadable: 0,
      });
    } finally {
      await after.close();
    }
  } finally {
    await dbHandle.close();
  }
});

test('re-encryption leaves a row with one flipped bit alone and reports it as unreadable', async () => {
  const isolated = await startTestServer({ env: { OPENROUTER_BASE_URL: upstream.url } });
  try {
    const frank = await registerUser(isolated);
    await frank.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: GOOD_KEYS[5] ?? '' });
    const [row] = await isolated.db.selectFrom('userApiKeys').select('encryptedKey').execute();
    const [version, kid, encoded] = (row?.encryptedKey ?? '').split('.');
    const body = Buffer.from(encoded ?? '', 'base64url');
    body[20] = (body[20] ?? 0) ^ 1; // one bit of the ciphertext
    const tampered = `${version}.${kid}.${body.toString('base64url')}`;
    await isolated.db.updateTable('userApiKeys').set({ encryptedKey: tampered }).execute();

    // A rotation (new current key, the old one kept) has to decrypt the row to move it.
    const rotated = {
      ...isolated.config.api,
      encryptionKeys: [{ kid: 'k2', key: randomBytes(32) }, ...isolated.config.api.encryptionKeys],
    };
    expect(await reencryptAllApiKeys(isolated.db, rotated)).toEqual({
      reencrypted: 0,
      alreadyCurrent: 0,
      unreadable: 1,
    });
    const [after] = await isolated.db.selectFrom('userApiKeys').select('encryptedKey').execute();
    expect(after?.encryptedKey).toBe(tampered);
    // The user still sees that a key is saved (its hint), so Settings can ask them to re-enter it.
    expect((await frank.client.settings.listApiKeys.query()).map((k) => k.keyHint)).toEqual([
      `…${GOOD_KEYS[5]?.slice(-6)}`,
    ]);
  } finally {
    await isolated.close();
  }
});

test('when the provider cannot be reached the key is still saved, marked unvalidated', async () => {
  // Port 9 on loopback: nothing listens there, so the key check fails to connect.
  const offline = await startTestServer({ env: { OPENROUTER_BASE_URL: 'http://127.0.0.1:9/api/v1' } });
  try {
    const { client } = await registerUser(offline);
    const apiKey = newKey();
    const saved = await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey });
    expect(saved.validation).toEqual({ status: 'unvalidated', reason: 'unreachable' });
    expect(await client.settings.listApiKeys.query()).toEqual([
      expect.objectContaining({ provider: 'openrouter', keyHint: `…${apiKey.slice(-6)}` }),
    ]);
  } finally {
    await offline.close();
  }
});
