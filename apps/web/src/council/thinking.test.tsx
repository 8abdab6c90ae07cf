import { screen, waitFor, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { conversation, runRecord } from '../testing/conversation-fixtures';
import { CHAIRMAN, MODELS, RUN_ID } from '../testing/council-events';
import { renderConversation } from '../testing/render-conversation';

// Issue 22 §3: a reasoning model's thinking shows live in a folded "Thinking…" section, the chip
// says it is thinking, and its reasoning tokens show with its usage.

test('thinking streams into a folded section while the chip says "thinking"; the answer then replaces the wait', async () => {
  const fake = renderConversation(
    conversation({
      runs: [
        runRecord({ status: 'running', stage1: [], stage2: [], stage3: null, aggregate: null, labelToModel: null }),
      ],
    }),
  );
  await screen.findByText('What is the capital of France?');
  fake.emit(RUN_ID, [
    { type: 'run_started', models: MODELS, chairmanModel: CHAIRMAN, attempt: 1 },
    { type: 'stage_started', stage: 'stage1' },
    { type: 'model_reasoning', stage: 'stage1', model: 'openai/gpt-5.1', text: 'The user asks about France. ' },
    { type: 'model_reasoning', stage: 'stage1', model: 'openai/gpt-5.1', text: 'Its capital is Paris.' },
  ]);
  const chips = screen.getByRole('list', { name: 'Council members' });
  await waitFor(() => expect(within(chips).getByText('thinking')).toBeTruthy());
  const thinking = await screen.findByText('Thinking…');
  const details = thinking.closest('details');
  expect(details?.open).toBe(false);
  await waitFor(() => expect(details?.textContent).toContain('The user asks about France. Its capital is Paris.'));
  expect(screen.getByText('Thinking before it answers…')).toBeTruthy();

  fake.emit(RUN_ID, [
    { type: 'model_delta', stage: 'stage1', model: 'openai/gpt-5.1', text: 'Paris.' },
    {
      type: 'model_completed',
      stage: 'stage1',
      model: 'openai/gpt-5.1',
      content: 'Paris.',
      usage: { promptTokens: 100, completionTokens: 900, totalTokens: 1000, cost: null, reasoningTokens: 880 },
      durationMs: 4200,
    },
  ]);
  await waitFor(() => expect(screen.getByText('How it reasoned')).toBeTruthy());
  expect(screen.queryByText('Thinking before it answers…')).toBeNull();
  expect(await screen.findByText(/1,000 tokens \(880 reasoning\)/)).toBeTruthy();
  expect(within(chips).queryByText('thinking')).toBeNull();
});

test('a finished run opened later still shows what a model thought, folded, from the stored answer', async () => {
  const [first, ...rest] = runRecord().stage1;
  renderConversation(
    conversation({
      runs: [runRecord({ stage1: [{ ...first!, reasoning: 'Recall the seat of government first.' }, ...rest] })],
    }),
  );
  await screen.findByText('What is the capital of France?');
  const reasoned = await screen.findByText('How it reasoned');
  const details = reasoned.closest('details');
  expect(details?.open).toBe(false);
  expect(details?.textContent).toContain('Recall the seat of government first.');
});
