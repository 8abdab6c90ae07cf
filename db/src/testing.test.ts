import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { createTestDb, isUsingRealPostgres } from './testing.js';

// Test databases on PGlite are handed from one file to the next within a worker (unpacking a fresh
// one costs about ten times as much as emptying one): the next file must find it as the template left it.

const countUsers = async (db: Awaited<ReturnType<typeof createTestDb>>['db']) =>
  Number((await sql<{ n: number }>`select count(*)::int as n from users`.execute(db)).rows[0]?.n);

test('a database handed back is emptied for the next file, and two open at once are two databases', async () => {
  const first = await createTestDb();
  await first.db.insertInto('users').values({ email: 'left@example.test', passwordHash: 'x' }).execute();
  const alongside = await createTestDb();
  expect(await countUsers(alongside.db)).toBe(0);
  await alongside.close();
  await first.close();
  await first.close(); // twice is harmless: it is not handed out twice

  const next = await createTestDb();
  const another = await createTestDb();
  try {
    expect(await countUsers(next.db)).toBe(0);
    expect(await countUsers(another.db)).toBe(0);
    // On PGlite both are reused databases (not new ones), and not the same one.
    if (!isUsingRealPostgres()) expect([first.db, alongside.db]).toEqual(expect.arrayContaining([next.db, another.db]));
    expect(next.db).not.toBe(another.db);
    // Sequences and the migrations' own record are as the template left them.
    const migrations = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(next.db);
    expect(migrations.rows[0]?.n).toBeGreaterThan(10);
  } finally {
    await next.close();
    await another.close();
  }
});

test('pooled: false gives a database of its own, never handed to another file once closed', async () => {
  const own = await createTestDb({ pooled: false });
  await own.db.insertInto('users').values({ email: 'own@example.test', passwordHash: 'x' }).execute();
  await own.close();
  const next = await createTestDb();
  try {
    expect(next.db).not.toBe(own.db);
    expect(await countUsers(next.db)).toBe(0);
  } finally {
    await next.close();
  }
});
