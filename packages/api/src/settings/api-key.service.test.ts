import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { createTestDb } from '@llm-council/db/testing';
import { expect, test } from 'vitest';
import type { ApiConfig, ProviderConfig } from '../config.js';
import type { AppErrorCause } from '../errors.js';
import { encryptApiKey } from './api-key-crypto.js';
import { resolveApiKey } from './api-key.service.js';

// Security case 31 at the service level (the council router, which calls this before any
// upstream request, is tested with the council work): an unreadable stored key is a clear
// "re-enter your key" error — never a 500, never garbage sent upstream, never the server key.

const openrouter: ProviderConfig = {
  id: 'openrouter',
  label: 'OpenRouter',
  baseUrl: 'http://127.0.0.1:9/v1',
  fallbackApiKey: 'sk-server-fallback-key',
  hasKeyEndpoint: true,
};
const encryptionKeys = [{ kid: 'k1', key: randomBytes(32) }];
// resolveApiKey reads only the encryption keys of the config.
const config = { encryptionKeys } as unknown as ApiConfig;

async function withTwoKeyOwners(run: (ctx: Awaited<ReturnType<typeof setUp>>) => Promise<void>): Promise<void> {
  const ctx = await setUp();
  try {
    await run(ctx);
  } finally {
    await ctx.handle.close();
  }
}

async function setUp() {
  const handle = await createTestDb();
  const owners = [];
  for (const name of ['alice', 'bob']) {
    const user = await handle.db
      .insertInto('users')
      .values({ email: `${name}-${randomBytes(3).toString('hex')}@example.test`, passwordHash: 'unused' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const apiKey = `sk-or-v1-${name}-${randomBytes(12).toString('hex')}`;
    const encryptedKey = encryptApiKey(encryptionKeys, apiKey, { userId: user.id, provider: 'openrouter' });
    await handle.db
      .insertInto('userApiKeys')
      .values({ userId: user.id, provider: 'openrouter', encryptedKey, keyHint: apiKey.slice(-6) })
      .execute();
    owners.push({ userId: user.id, apiKey, encryptedKey });
  }
  const [alice, bob] = owners;
  if (!alice || !bob) throw new Error('setup failed');
  return { handle, alice, bob };
}

async function expectUnreadable(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  expect(trpcError.code).toBe('PRECONDITION_FAILED');
  expect((trpcError.cause as AppErrorCause).appCode).toBe('API_KEY_UNREADABLE');
  expect(trpcError.message).toMatch(/re-enter your key/);
}

test('the owner gets their own key back, and the server key is not used', async () => {
  await withTwoKeyOwners(async ({ handle, alice }) => {
    const resolved = await resolveApiKey({ db: handle.db, config }, alice.userId, openrouter);
    expect(resolved).toEqual({ apiKey: alice.apiKey, source: 'user' });
  });
});

test('a ciphertext swapped between two users is a re-enter-your-key error, not the other key', async () => {
  await withTwoKeyOwners(async ({ handle, alice, bob }) => {
    await handle.db
      .updateTable('userApiKeys')
      .set({ encryptedKey: bob.encryptedKey })
      .where('userId', '=', alice.userId)
      .execute();
    await expectUnreadable(resolveApiKey({ db: handle.db, config }, alice.userId, openrouter));
  });
});

test('a stored key with one bit flipped, an unknown kid or a foreign format is a re-enter-your-key error', async () => {
  await withTwoKeyOwners(async ({ handle, alice }) => {
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
      await handle.db.updateTable('userApiKeys').set({ encryptedKey }).where('userId', '=', alice.userId).execute();
      await expectUnreadable(resolveApiKey({ db: handle.db, config }, alice.userId, openrouter));
    }
  });
});
