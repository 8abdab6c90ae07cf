import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { gatherWithDeadlines, type GateOptions } from './stage-gate.js';

/** Models that answer after the given delays (ms); `null` never answers until cut. */
function gate(delays: Record<string, number | null>, deadlines: { soft: number; hard: number; quorum: number }) {
  const log: string[] = [];
  const startedAt = Date.now();
  const options: GateOptions<string> = {
    models: Object.keys(delays),
    softDeadlineMs: deadlines.soft,
    hardDeadlineMs: deadlines.hard,
    quorum: deadlines.quorum,
    now: () => Date.now(),
    start: async (model, signal) => {
      const delay = delays[model];
      await sleep(delay ?? 60_000, undefined, { signal }).catch(() => undefined);
      return signal.aborted ? 'aborted' : 'ok';
    },
    isCounted: (result) => result === 'ok',
    onResult: (model) => {
      log.push(`result:${model}`);
      return Promise.resolve();
    },
    onLate: (model) => {
      log.push(`late:${model}`);
      return Promise.resolve();
    },
  };
  return { log, elapsed: () => Date.now() - startedAt, done: gatherWithDeadlines(options) };
}

test('when everyone answers, the stage ends with the last answer, whatever the deadlines', async () => {
  const { log, done } = gate({ a: 10, b: 30, c: 50 }, { soft: 1_000, hard: 5_000, quorum: 2 });
  const results = await done;
  expect([...results.keys()].sort()).toEqual(['a', 'b', 'c']);
  expect(log).toEqual(['result:a', 'result:b', 'result:c']);
});

test('with a quorum in, a straggler is cut at the soft deadline after the first answer', async () => {
  const { log, done, elapsed } = gate({ a: 10, b: 20, c: null }, { soft: 200, hard: 5_000, quorum: 2 });
  const results = await done;
  expect(elapsed()).toBeGreaterThanOrEqual(200);
  expect(elapsed()).toBeLessThan(1_000);
  expect(results.has('c')).toBe(false);
  expect(log).toEqual(['result:a', 'result:b', 'late:c']);
});

test('without a quorum the soft deadline does not end the stage; the next answer that makes it does', async () => {
  const { log, done, elapsed } = gate({ a: 10, b: 400, c: null }, { soft: 100, hard: 5_000, quorum: 2 });
  await done;
  expect(elapsed()).toBeGreaterThanOrEqual(400);
  expect(elapsed()).toBeLessThan(1_500);
  expect(log).toEqual(['result:a', 'result:b', 'late:c']);
});

test('the hard deadline ends every straggler even below quorum', async () => {
  const { log, done, elapsed } = gate({ a: 10, b: null, c: null }, { soft: 50, hard: 300, quorum: 2 });
  const results = await done;
  expect(elapsed()).toBeLessThan(1_000);
  expect([...results.keys()]).toEqual(['a']);
  expect(log).toEqual(['result:a', 'late:b', 'late:c']);
});
