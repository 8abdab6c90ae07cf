import { randomUUID } from 'node:crypto';
import type { CouncilEventEnvelope } from '@llm-council/council';
import { expect, test } from 'vitest';
import { RunLog } from './run-log.js';

// The in-memory log every subscriber on a host reads: it holds a contiguous run of stored events,
// so a subscriber can never see a gap, a duplicate or an event out of order.

const runId = randomUUID();

function delta(seq: number): CouncilEventEnvelope {
  return {
    runId,
    seq,
    at: new Date(0).toISOString(),
    event: { type: 'model_delta', stage: 'stage1', model: 'test/alpha', text: `t${seq}` },
  };
}

/** A log over a "database" that holds events 1..stored; counts the reads a catch-up makes. */
function logOver(stored: number, floor = 0) {
  const reads: number[] = [];
  const events = Array.from({ length: stored }, (_, i) => delta(i + 1));
  const log = new RunLog(
    runId,
    floor,
    (afterSeq, limit) => {
      reads.push(afterSeq);
      return Promise.resolve(events.slice(afterSeq, afterSeq + limit));
    },
    (error) => {
      throw error;
    },
  );
  return { log, reads };
}

const seqs = (envelopes: CouncilEventEnvelope[] | null) => envelopes?.map((e) => e.seq) ?? null;

test('events are taken in order; repeats are skipped and a gap is refused, not bridged', () => {
  const { log } = logOver(0);
  expect(log.append([delta(1), delta(2), delta(3)])).toBe(true);
  expect(log.append([delta(2), delta(3), delta(4)])).toBe(true); // a notification repeating two of them
  expect(log.append([delta(7)])).toBe(false); // 5 and 6 are missing
  expect(log.last).toBe(4);
  expect(seqs(log.readAfter(0, 100))).toEqual([1, 2, 3, 4]);
  expect(seqs(log.readAfter(2, 1))).toEqual([3]);
});

test('a gap is filled from the stored events by one reader, however many subscribers ask', async () => {
  const { log, reads } = logOver(9);
  log.append([delta(1), delta(2)]);
  expect(log.append([delta(6)])).toBe(false);
  await Promise.all([log.catchUp(), log.catchUp(), log.catchUp()]);
  expect(reads).toEqual([2]);
  expect(seqs(log.readAfter(0, 100))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a resume point below the floor is read from the database (null), one at or above it from memory', () => {
  const { log } = logOver(0, 10); // a log opened when 10 events were already stored
  log.append([delta(11), delta(12)]);
  expect(log.readAfter(9, 100)).toBeNull();
  expect(seqs(log.readAfter(10, 100))).toEqual([11, 12]);
  expect(seqs(log.readAfter(12, 100))).toEqual([]);
});

test('a waiting subscriber wakes when the next event is appended, and at once on abort', async () => {
  const { log } = logOver(0);
  log.hasWriter = true;
  const woken = log.waitForMore(0, undefined, 60_000);
  log.append([delta(1)]);
  await woken;
  expect(seqs(log.readAfter(0, 10))).toEqual([1]);

  const abort = new AbortController();
  const aborted = log.waitForMore(1, abort.signal, 60_000);
  abort.abort();
  await aborted;
  expect(log.last).toBe(1);
});

test('with no writer on this host, a wait that times out looks at the database itself', async () => {
  const { log, reads } = logOver(3);
  await log.waitForMore(0, undefined, 1);
  expect(reads).toEqual([0]);
  expect(log.last).toBe(3);
});
