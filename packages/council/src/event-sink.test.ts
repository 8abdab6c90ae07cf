import { expect, test } from 'vitest';
import type { CouncilEvent } from './events.js';
import { createEventSink } from './event-sink.js';

const delta = (text: string): CouncilEvent => ({ type: 'model_delta', stage: 'stage1', model: 'm', text });

test('concurrent sends are emitted one at a time, in the order they were sent', async () => {
  const log: string[] = [];
  const sink = createEventSink(async (event) => {
    log.push(`start ${event.type === 'model_delta' ? event.text : event.type}`);
    await new Promise((resolve) => setTimeout(resolve, event.type === 'model_delta' && event.text === 'a' ? 30 : 1));
    log.push('end');
  });
  await Promise.all([sink.send(delta('a')), sink.send(delta('b')), sink.send({ type: 'run_completed' })]);
  expect(log).toEqual(['start a', 'end', 'start b', 'end', 'start run_completed', 'end']);
});

test('nothing is emitted after a terminal event', async () => {
  const emitted: CouncilEvent[] = [];
  const sink = createEventSink((event) => {
    emitted.push(event);
    return Promise.resolve();
  });
  await sink.send({ type: 'run_cancelled' });
  await sink.send(delta('late'));
  expect(emitted).toEqual([{ type: 'run_cancelled' }]);
});

test('after a failed emit, later sends reject with the same error and are not emitted', async () => {
  const failure = new Error('disk full');
  const emitted: CouncilEvent[] = [];
  const sink = createEventSink((event) => {
    if (event.type === 'model_delta' && event.text === 'bad') return Promise.reject(failure);
    emitted.push(event);
    return Promise.resolve();
  });
  await expect(sink.send(delta('bad'))).rejects.toBe(failure);
  await expect(sink.send(delta('next'))).rejects.toBe(failure);
  expect(emitted).toEqual([]);
  expect(sink.failure).toEqual({ error: failure });
});
