import pg from 'pg';
import { expect, onTestFinished, test } from 'vitest';
import { createNotifications } from './notifications.js';
import { readTestDatabaseUrl } from './test-env.js';

// LISTEN/NOTIFY exists on PostgreSQL only (the embedded engine is one process): these run in the
// PostgreSQL pass of the suite.
const url = readTestDatabaseUrl();

async function notify(channel: string, payload: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
  } finally {
    await client.end();
  }
}

test.skipIf(!url)(
  'channels listened and unlistened all at once: one command at a time, the last word wins, pg never warns',
  async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    onTestFinished(() => void process.off('warning', onWarning));
    const notifications = createNotifications({ connectionString: url as string });
    onTestFinished(() => notifications.close());

    const heard: string[] = [];
    const channels = Array.from({ length: 20 }, (_, i) => `test_channel_${i}`);
    const stops = await Promise.all(channels.map((c) => notifications.listen(c, (p) => heard.push(`${c}:${p}`))));
    // Half are dropped, and one of those listened to again straight away.
    for (const stop of stops.slice(0, 10)) stop();
    const again = await notifications.listen('test_channel_3', (p) => heard.push(`again:${p}`));
    onTestFinished(again);
    expect(notifications.channels).toHaveLength(11);

    await Promise.all(channels.map((c) => notify(c, 'hi')));
    await expect.poll(() => heard.length).toBe(11);
    expect(heard).toContain('again:hi');
    expect(heard).not.toContain('test_channel_0:hi');
    expect(heard).toContain('test_channel_19:hi');
    // Let a tick pass for any warning to be emitted.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
  },
);

test.skipIf(!url)('listens still queued when the handle closes resolve quietly, reporting no error', async () => {
  const errors: unknown[] = [];
  const notifications = createNotifications({ connectionString: url as string, onError: (e) => errors.push(e) });
  await notifications.listen('test_first', () => undefined);
  const pending = Array.from({ length: 10 }, (_, i) => notifications.listen(`test_queued_${i}`, () => undefined));
  // The first LISTEN is on the wire, the others wait their turn, when the host shuts down.
  await new Promise((resolve) => setImmediate(resolve));
  await notifications.close();
  const outcomes = await Promise.allSettled(pending);
  expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 10 }, () => 'fulfilled'));
  for (const outcome of outcomes) if (outcome.status === 'fulfilled') outcome.value(); // stopping is harmless
  expect(errors).toEqual([]);
});
