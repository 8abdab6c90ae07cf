// The embedded database's own thread (docs/decisions/0015). It owns the PGlite instance and runs
// the statements the main thread posts, strictly one after another in the order they arrive —
// that order is what keeps a transaction's statements together (see worker-dialect.ts).
//
// Plain JavaScript, not TypeScript: this file is loaded by path as it is, from the sources under
// Vitest and tsx and from the server's bundle alike, and Node 20 cannot run TypeScript by itself.
//
// Messages in:  { id, sql, params }     a statement; answered { id, rows, affectedRows }
//               { id, commit: true }     COMMIT; answered { id, rows: [], command } (ROLLBACK if aborted)
//               { close: true }          close PGlite (after everything queued) and end the thread
// Messages out: { ready: true } once open, or { openFailed: error }; { id, error } for a failed statement.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** @type {{ pgliteDir: string | undefined, settings: string[], template: ArrayBuffer | undefined }} */
const { pgliteDir, settings, template } = workerData;

const pglite = await PGlite.create(pgliteDir, {
  loadDataDir: template ? new Blob([template]) : undefined,
  postgresqlconf: settings,
}).catch((error) => {
  parentPort.postMessage({ openFailed: serialiseError(error) });
  return undefined;
});

if (pglite) {
  let queue = Promise.resolve();
  parentPort.on('message', (message) => {
    queue = queue.then(() => handle(message));
  });
  parentPort.postMessage({ ready: true });
} // else nothing listens, and the thread ends: the main thread has the reason

async function handle(message) {
  if (message.close) {
    await pglite.close();
    parentPort.close(); // nothing else keeps the thread alive: it ends
    return;
  }
  try {
    if (message.commit) {
      // COMMIT of a transaction an earlier error aborted rolls back instead; PostgreSQL says so
      // only in the command tag, which the simple protocol (exec) returns.
      const [result] = await pglite.exec('commit');
      parentPort.postMessage({ id: message.id, rows: [], command: result?.command });
      return;
    }
    const { rows, affectedRows } = await pglite.query(message.sql, message.params, { rowMode: 'object' });
    parentPort.postMessage({ id: message.id, rows, affectedRows });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: serialiseError(error) });
    // An aborted WebAssembly instance (out of memory, a crash inside PostgreSQL) answers nothing
    // reliably again: end the thread, and the main thread starts a fresh one on the data dir.
    if (error instanceof WebAssembly.RuntimeError) process.exit(1);
  }
}

/**
 * An error as plain data: the message and every string or number field PostgreSQL gave it
 * (`code`, `constraint`, `detail`, `table`, …), which callers read; the class does not survive
 * the thread boundary, and custom fields of an Error are dropped by structured cloning.
 */
function serialiseError(error) {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return { ...fields, name: error.name, message: error.message };
}
