import { randomBytes } from 'node:crypto';
import { startFakeUpstream } from '@llm-council/council/fake-upstream';
import { expect, test as baseTest } from 'vitest';
import type { EncryptionKey } from '../config.js';
import { decryptStoredKey } from '../testing/api-key-cipher.js';
import { saveApiKey } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { openTestApi, type TestApi } from '../testing/test-api.js';
import { createTestApiConfig } from '../testing/test-config.js';
import { reencryptAllApiKeys } from './api-key.service.js';

// Security cases 30 and 32 (and the BYOK half of 27): keys are validated upstream, stored
// encrypted, shown only as a hint, scoped to their owner, and survive key rotation.

const newKey = () => `sk-or-v1-${randomBytes(24).toString('hex')}`;
const GOOD_KEYS = Array.from({ length: 6 }, newKey);
const REJECTED_KEY = newKey();

/** The API pointed at a fake provider that knows GOOD_KEYS (and nothing else), one of each per file. */
const test = baseTest
  .extend('upstream', { scope: 'file' }, async ({}, { onCleanup }) => {
    const upstream = await startFakeUpstream({
      port: 0,
      keys: Object.fromEntries(GOOD_KEYS.map((key) => [key, { valid: true, limit: 10, usage: 1 }])),
    });
    onCleanup(() => upstream.close());
    return upstream;
  })
  .extend('api', { scope: 'file' }, async ({ upstream }, { onCleanup }) => {
    const api = await openTestApi({ config: createTestApiConfig({ providerUrl: upstream.url }) });
    onCleanup(() => api.close());
    return api;
  });

function storedRows(api: TestApi, userId: string) {
  return api.db.selectFrom('userApiKeys').selectAll().where('userId', '=', userId).execute();
}

test('a saved key is answered and listed only by its hint, and the database holds only ciphertext', async ({ api }) => {
  const alice = await api.signUp();
  const apiKey = GOOD_KEYS[0] ?? '';
  const saved = await alice.caller.settings.saveApiKey({ provider: 'openrouter', apiKey });
  expect(saved).toMatchObject({ provider: 'openrouter', keyHint: `…${apiKey.slice(-6)}` });
  expect(saved.validation).toMatchObject({ status: 'valid', limit: 10 });
  expect(JSON.stringify(saved)).not.toContain(apiKey);

  const listed = await alice.caller.settings.listApiKeys();
  expect(listed).toHaveLength(1);
  expect(Object.keys(listed[0] ?? {}).sort()).toEqual(['createdAt', 'keyHint', 'provider', 'updatedAt']);
  expect(listed[0]?.keyHint).toBe(`…${apiKey.slice(-6)}`);

  const rows = await storedRows(api, alice.user.id);
  expect(rows).toHaveLength(1);
  const dump = JSON.stringify(rows);
  // Neither the key nor any long piece of it: only the 6-character hint may appear.
  for (let start = 0; start + 12 <= apiKey.length; start += 4)
    expect(dump).not.toContain(apiKey.slice(start, start + 12));
  const stored = rows[0]?.encryptedKey ?? '';
  expect(stored).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+$/);
  const keys = api.config.encryptionKeys;
  expect(decryptStoredKey(stored, keys, { userId: alice.user.id, provider: 'openrouter' })).toBe(apiKey);
  // Bound to its row: under another user's name the same ciphertext does not open.
  expect(() => decryptStoredKey(stored, keys, { userId: crypto.randomUUID(), provider: 'openrouter' })).toThrow();
});

test('encrypting the same key twice gives different ciphertexts (a fresh IV each time)', async ({ api }) => {
  const bob = await api.signUp();
  const apiKey = GOOD_KEYS[1] ?? '';
  await bob.caller.settings.saveApiKey({ provider: 'openrouter', apiKey });
  const first = (await storedRows(api, bob.user.id))[0]?.encryptedKey;
  await bob.caller.settings.saveApiKey({ provider: 'openrouter', apiKey });
  const rows = await storedRows(api, bob.user.id);
  expect(rows).toHaveLength(1);
  expect(rows[0]?.encryptedKey).not.toBe(first);
});

test('saving again replaces the key, and deleting it removes it', async ({ api }) => {
  const carol = await api.signUp();
  await carol.caller.settings.saveApiKey({ provider: 'openrouter', apiKey: GOOD_KEYS[2] ?? '' });
  await carol.caller.settings.saveApiKey({ provider: 'openrouter', apiKey: GOOD_KEYS[3] ?? '' });
  const listed = await carol.caller.settings.listApiKeys();
  expect(listed.map((k) => k.keyHint)).toEqual([`…${GOOD_KEYS[3]?.slice(-6)}`]);

  expect(await carol.caller.settings.deleteApiKey({ provider: 'openrouter' })).toEqual({ ok: true });
  expect(await carol.caller.settings.listApiKeys()).toEqual([]);
  expect(await storedRows(api, carol.user.id)).toEqual([]);
  const again = await failureOf(carol.caller.settings.deleteApiKey({ provider: 'openrouter' }));
  expect(again.code).toBe('NOT_FOUND');
});

test('a key the provider rejects is refused and nothing is stored', async ({ api }) => {
  const dave = await api.signUp();
  const failure = await failureOf(dave.caller.settings.saveApiKey({ provider: 'openrouter', apiKey: REJECTED_KEY }));
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.appCode).toBe('API_KEY_REJECTED');
  expect(failure.message).not.toContain(REJECTED_KEY);
  expect(await storedRows(api, dave.user.id)).toEqual([]);
});

test('malformed keys and unknown providers are BAD_REQUEST naming the field', async ({ api }) => {
  const { caller } = await api.signUp();
  const short = await failureOf(caller.settings.saveApiKey({ provider: 'openrouter', apiKey: 'sk-1' }));
  expect(short.fieldErrors).toHaveProperty('apiKey');
  const spaced = await failureOf(
    caller.settings.saveApiKey({ provider: 'openrouter', apiKey: 'sk-or-v1 with spaces inside' }),
  );
  expect(spaced.fieldErrors).toHaveProperty('apiKey');
  const unknown = await failureOf(caller.settings.saveApiKey({ provider: 'acme-ai', apiKey: newKey() }));
  expect(unknown.code).toBe('BAD_REQUEST');
  expect(unknown.appCode).toBe('UNKNOWN_PROVIDER');
  const hostile = await failureOf(caller.settings.deleteApiKey({ provider: "openrouter' OR '1'='1" }));
  expect(hostile.fieldErrors).toHaveProperty('provider');
});

test("one user never sees, replaces or deletes another user's key", async ({ api }) => {
  const alice = await api.signUp();
  await saveApiKey(api.db, api.config, alice.user.id, newKey());
  const before = await storedRows(api, alice.user.id);
  const eve = await api.signUp();
  expect(await eve.caller.settings.listApiKeys()).toEqual([]);
  const remove = await failureOf(eve.caller.settings.deleteApiKey({ provider: 'openrouter' }));
  expect(remove.code).toBe('NOT_FOUND');

  const smuggled = await failureOf(
    eve.caller.settings.saveApiKey({
      provider: 'openrouter',
      apiKey: GOOD_KEYS[4] ?? '',
      userId: alice.user.id,
    } as never),
  );
  expect(smuggled.code).toBe('BAD_REQUEST');
  expect(smuggled.message).toContain('userId');
  await eve.caller.settings.saveApiKey({ provider: 'openrouter', apiKey: GOOD_KEYS[4] ?? '' });
  expect(await storedRows(api, alice.user.id)).toEqual(before);
});

test('after rotation a key stored under the old kid still decrypts, and re-encryption moves every row to the new kid', async ({
  upstream,
}) => {
  const oldKey: EncryptionKey = { kid: 'old', key: randomBytes(32) };
  const newEncryptionKey: EncryptionKey = { kid: 'new', key: randomBytes(32) };
  // A database of its own: re-encryption touches every row, and this test counts them.
  const api = await openTestApi({
    config: createTestApiConfig({ providerUrl: upstream.url, overrides: { encryptionKeys: [oldKey] } }),
  });
  try {
    const owners: { userId: string; apiKey: string }[] = [];
    for (const apiKey of GOOD_KEYS.slice(0, 2)) {
      const { user, caller } = await api.signUp();
      await caller.settings.saveApiKey({ provider: 'openrouter', apiKey });
      owners.push({ userId: user.id, apiKey });
    }
    const rows = () => api.db.selectFrom('userApiKeys').select(['userId', 'encryptedKey']).execute();
    expect((await rows()).every((r) => r.encryptedKey.startsWith('v1.old.'))).toBe(true);

    // The operator adds a new current key and keeps the old one for decryption.
    const rotated = { encryptionKeys: [newEncryptionKey, oldKey] };
    expect(await reencryptAllApiKeys(api.db, rotated)).toEqual({ reencrypted: 2, alreadyCurrent: 0, unreadable: 0 });
    for (const row of await rows()) {
      expect(row.encryptedKey.startsWith('v1.new.')).toBe(true);
      const owner = owners.find((o) => o.userId === row.userId);
      // Readable with the new key alone: the old one can now be retired.
      expect(
        decryptStoredKey(row.encryptedKey, [newEncryptionKey], { userId: row.userId, provider: 'openrouter' }),
      ).toBe(owner?.apiKey);
    }
    expect(await reencryptAllApiKeys(api.db, rotated)).toEqual({ reencrypted: 0, alreadyCurrent: 2, unreadable: 0 });
  } finally {
    await api.close();
  }
});

test('re-encryption leaves a row with one flipped bit alone and reports it as unreadable', async ({ upstream }) => {
  const api = await openTestApi({ config: createTestApiConfig({ providerUrl: upstream.url }) });
  try {
    const frank = await api.signUp();
    await frank.caller.settings.saveApiKey({ provider: 'openrouter', apiKey: GOOD_KEYS[5] ?? '' });
    const [row] = await api.db.selectFrom('userApiKeys').select('encryptedKey').execute();
    const [version, kid, encoded] = (row?.encryptedKey ?? '').split('.');
    const body = Buffer.from(encoded ?? '', 'base64url');
    body[20] = (body[20] ?? 0) ^ 1; // one bit of the ciphertext
    const tampered = `${version}.${kid}.${body.toString('base64url')}`;
    await api.db.updateTable('userApiKeys').set({ encryptedKey: tampered }).execute();

    // A rotation (new current key, the old one kept) has to decrypt the row to move it.
    const rotated = { encryptionKeys: [{ kid: 'k2', key: randomBytes(32) }, ...api.config.encryptionKeys] };
    expect(await reencryptAllApiKeys(api.db, rotated)).toEqual({ reencrypted: 0, alreadyCurrent: 0, unreadable: 1 });
    const [after] = await api.db.selectFrom('userApiKeys').select('encryptedKey').execute();
    expect(after?.encryptedKey).toBe(tampered);
    // The user still sees that a key is saved (its hint), so Settings can ask them to re-enter it.
    expect((await frank.caller.settings.listApiKeys()).map((k) => k.keyHint)).toEqual([`…${GOOD_KEYS[5]?.slice(-6)}`]);
  } finally {
    await api.close();
  }
});

test('when the provider cannot be reached the key is still saved, marked unvalidated', async () => {
  // The default test configuration points the provider at port 9 on loopback: nothing listens there.
  const offline = await openTestApi();
  try {
    const { caller } = await offline.signUp();
    const apiKey = newKey();
    const saved = await caller.settings.saveApiKey({ provider: 'openrouter', apiKey });
    expect(saved.validation).toEqual({ status: 'unvalidated', reason: 'unreachable' });
    expect(await caller.settings.listApiKeys()).toEqual([
      expect.objectContaining({ provider: 'openrouter', keyHint: `…${apiKey.slice(-6)}` }),
    ]);
  } finally {
    await offline.close();
  }
});
