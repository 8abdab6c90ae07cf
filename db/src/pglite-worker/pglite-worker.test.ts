import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedTransactionError, CamelCasePlugin, type Generated, Kysely, sql } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import { isConnectionError } from '../connection-errors.js';
import { createDb, type DbHandle } from '../create-db.js';
import { isUsingRealPostgres } from '../testing.js';
import { PgliteWorker } from './worker-client.js';
import { PgliteWorkerDialect } from './worker-dialect.js';

// The embedded database in a worker thread (decision 0015) against PGlite on the calling thread:
// the same values back, the same errors, transactions kept whole, and a thread that dies replaced.
// PGlite only: on PostgreSQL there is no worker.
const pgliteOnly = test.skipIf(isUsingRealPostgres());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(pgliteThread: 'worker' | 'main', dataDir = 'memory://'): Promise<DbHandle> {
  const handle = await createDb({ dataDir, pgliteThread });
  cleanups.push(() => handle.close());
  return handle;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmc-pglite-worker-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A table of every kind of value the repositories store, filled through parameters, read back. */
async function valuesOf(handle: DbHandle) {
  const { db } = handle;
  await sql`create table kinds (
    id uuid primary key default gen_random_uuid(), n int, big bigint, num numeric, ok boolean, at timestamptz,
    doc jsonb, raw json, bytes bytea, tags text[], label text unique)`.execute(db);
  const at = new Date('2026-12-08T01:02:03.456Z');
  await sql`insert into kinds (n, big, num, ok, at, doc, raw, bytes, tags, label) values
    (${1}, ${9_007_199_254_740_991}, ${'12.50'}, ${true}, ${at}, ${JSON.stringify({ a: [1, 'x'] })}, ${'{"b":null}'},
     ${new Uint8Array([0, 1, 255])}, ${['a', 'b']}, ${'one'}),
    (null, null, null, null, null, null, null, null, null, ${'two'})`.execute(db);
  const rows = await sql`select n, big, num, ok, at, doc, raw, bytes, tags, label from kinds order by label`.execute(
    db,
  );
  const counted = await sql`select count(*) as count, max(at) as latest from kinds`.execute(db);
  const updated = await sql`update kinds set n = 2`.execute(db);
  const duplicate = await sql`insert into kinds (label) values ('one')`.execute(db).catch((error: unknown) => error);
  return { rows: rows.rows, counted: counted.rows, affected: updated.numAffectedRows, duplicate };
}

pgliteOnly('the worker returns the same values and errors as PGlite on the calling thread', async () => {
  const inWorker = await valuesOf(await open('worker'));
  const onMain = await valuesOf(await open('main'));

  expect(inWorker.rows).toEqual(onMain.rows);
  expect(inWorker.counted).toEqual(onMain.counted);
  expect(inWorker.affected).toBe(2n);
  expect(onMain.affected).toBe(2n);
  // The kinds callers rely on, spelt out: count(*) a number, timestamps Dates, JSON parsed, bytea bytes.
  expect(inWorker.counted).toEqual([{ count: 2, latest: new Date('2026-12-08T01:02:03.456Z') }]);
  const [first] = inWorker.rows as Record<string, unknown>[];
  expect(first).toMatchObject({ big: 9_007_199_254_740_991, num: '12.50', doc: { a: [1, 'x'] }, raw: { b: null } });
  expect(first?.['bytes']).toBeInstanceOf(Uint8Array);
  expect([...(first?.['bytes'] as Uint8Array)]).toEqual([0, 1, 255]);
  // A unique violation keeps what callers read (code) and PostgreSQL's other fields.
  const fields = (error: unknown) => {
    const { code, constraint, detail, table, severity, message } = error as Record<string, unknown>;
    return { code, constraint, detail, table, severity, message };
  };
  expect(fields(inWorker.duplicate)).toEqual(fields(onMain.duplicate));
  expect(fields(inWorker.duplicate)).toMatchObject({ code: '23505', constraint: 'kinds_label_key' });
  expect(inWorker.duplicate).toBeInstanceOf(Error);
});

pgliteOnly('a statement from outside an open transaction waits for its end instead of landing inside it', async () => {
  const { db } = await open('worker');
  await sql`create table notes (body text)`.execute(db);
  let releaseTransaction!: () => void;
  const held = new Promise<void>((resolve) => (releaseTransaction = resolve));
  let inserted!: () => void;
  const hasInserted = new Promise<void>((resolve) => (inserted = resolve));

  const transaction = db
    .transaction()
    .execute(async (trx) => {
      await sql`insert into notes values ('uncommitted')`.execute(trx);
      inserted();
      await held;
      throw new Error('rolled back on purpose');
    })
    .catch((error: unknown) => (error as Error).message);
  await hasInserted;
  // Posted while the transaction is open: on one PGlite session it would see the uncommitted row.
  const outside = sql<{ n: number }>`select count(*)::int as n from notes`.execute(db);
  await new Promise((resolve) => setTimeout(resolve, 100));
  releaseTransaction();

  expect(await transaction).toBe('rolled back on purpose');
  expect((await outside).rows).toEqual([{ n: 0 }]);
});

pgliteOnly('COMMIT of a transaction an error aborted fails as Kysely says, and the next one works', async () => {
  const { db } = await open('worker');
  await sql`create table once (k int primary key)`.execute(db);
  const aborted = db.transaction().execute(async (trx) => {
    await sql`insert into once values (1)`.execute(trx);
    await sql`insert into once values (1)`.execute(trx).catch(() => {}); // swallowed: the transaction is aborted
  });
  await expect(aborted).rejects.toBeInstanceOf(AbortedTransactionError);
  await db.transaction().execute((trx) => sql`insert into once values (2)`.execute(trx));
  expect((await sql`select k from once`.execute(db)).rows).toEqual([{ k: 2 }]);
});

pgliteOnly('close() ends the thread and frees the data dir for the next process', async () => {
  const dataDir = tempDir();
  const first = await createDb({ dataDir });
  await sql`create table kept (v text)`.execute(first.db);
  await sql`insert into kept values ('closed cleanly')`.execute(first.db);
  await first.close();
  await expect(sql`select 1`.execute(first.db)).rejects.toThrow();

  const second = await open('worker', dataDir);
  expect((await sql`select v from kept`.execute(second.db)).rows).toEqual([{ v: 'closed cleanly' }]);
});
pgliteOnly(
  'a thread that dies fails the statements in flight as a lost connection; the next one restarts it on the same data dir',
  async () => {
    const dataDir = join(tempDir(), 'pglite');
    const lost: Error[] = [];
    const worker = new PgliteWorker({
      pgliteDir: dataDir,
      settings: [],
      template: undefined,
      onUnexpectedExit: (error) => lost.push(error),
    });
    const db = new Kysely<{ ledger: { id: Generated<number>; note: string } }>({
      dialect: new PgliteWorkerDialect(worker),
      plugins: [new CamelCasePlugin()],
    });
    cleanups.push(() => db.destroy());
    await sql`create table ledger (id serial primary key, note text)`.execute(db);
    for (let i = 0; i < 20; i++)
      await db
        .insertInto('ledger')
        .values({ note: `committed ${i}` })
        .execute();

    // Statements in flight when the thread dies fail as a lost connection (isConnectionError: a 503, a retry).
    const inFlight = Array.from({ length: 5 }, () =>
      sql`select count(*) from generate_series(1, 2000000)`.execute(db).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.terminate();
    // So does an open transaction's next statement: it must not run on the new thread, outside its transaction.
    let inTransaction!: () => void;
    const transactionOpen = new Promise<void>((resolve) => (inTransaction = resolve));
    let crashed!: () => void;
    const hasCrashed = new Promise<void>((resolve) => (crashed = resolve));
    const transaction = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('ledger').values({ note: 'uncommitted' }).execute(); // restarts the thread
        inTransaction();
        await hasCrashed;
        await trx.insertInto('ledger').values({ note: 'after the crash' }).execute();
      })
      .catch((error: unknown) => error);
    await transactionOpen;
    await worker.terminate();
    crashed();

    for (const error of [...(await Promise.all(inFlight)), await transaction]) {
      expect(isConnectionError(error)).toBe(true);
      expect((error as Error).message).toMatch(/Connection terminated: the embedded database's thread stopped/);
    }
    expect(lost).toHaveLength(2);

    // The next statement starts a new thread on the same folder: what was committed is there, the rest is not.
    const notes = await db.selectFrom('ledger').select('note').orderBy('id').execute();
    expect(notes.map((row) => row.note)).toEqual(Array.from({ length: 20 }, (_, i) => `committed ${i}`));
    await db.insertInto('ledger').values({ note: 'after the restart' }).execute();
    expect(
      await db
        .selectFrom('ledger')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirst(),
    ).toEqual({ n: 21 });
  },
);
