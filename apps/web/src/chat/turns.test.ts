import { expect, test } from 'vitest';
import type { Message } from '../council/council-types';
import { conversation, runRecord, userMessage } from '../testing/conversation-fixtures';
import { buildTurns } from './turns';

const assistant = (content: string, position: number) =>
  ({
    id: `a${position}`,
    role: 'assistant',
    content,
    position,
    runId: null,
    createdAt: '2025-11-26T12:00:05.000Z',
  }) as Message;

test('turns follow message positions and pair each question with its run', () => {
  const first = userMessage('First?', 'm1', 1);
  const second = userMessage('Second?', 'm2', 3);
  const turns = buildTurns(
    conversation({
      messages: [second, assistant('Answer one', 2), first],
      runs: [runRecord({ id: 'r2', userMessageId: 'm2' }), runRecord({ id: 'r1', userMessageId: 'm1' })],
    }),
  );

  expect(turns.map((t) => [t.message.content, t.run?.id])).toEqual([
    ['First?', 'r1'],
    ['Second?', 'r2'],
  ]);
});

test('a question run twice shows its latest run', () => {
  const turns = buildTurns(
    conversation({
      runs: [
        runRecord({ id: 'late', createdAt: '2025-11-26T12:05:00.000Z' }),
        runRecord({ id: 'early', createdAt: '2025-11-26T12:00:00.000Z' }),
      ],
    }),
  );
  expect(turns[0]?.run?.id).toBe('late');
});

test('a stored assistant reply without a run record is shown as the answer', () => {
  const turns = buildTurns(conversation({ messages: [userMessage('Q?', 'm1', 1), assistant('A.', 2)], runs: [] }));
  expect(turns).toHaveLength(1);
  expect(turns[0]?.run).toBeNull();
  expect(turns[0]?.answer?.content).toBe('A.');
});
