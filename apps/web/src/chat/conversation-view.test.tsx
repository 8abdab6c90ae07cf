import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { conversation, runRecord } from '../testing/conversation-fixtures';
import { RUN_ID, completeRunEvents } from '../testing/council-events';
import { sdkError } from '../testing/fake-trpc-fetch';
import { loadMarkdownRenderer } from '../markdown/markdown-view';
import { renderConversation } from '../testing/render-conversation';

const box = () => screen.getByLabelText<HTMLTextAreaElement>('Message the council');
// Stages 1 and 2 both have a tab per model: find each panel through its tab list.
const panelOf = (tablist: string) =>
  within(screen.getByRole('tablist', { name: tablist }).parentElement as HTMLElement).getByRole('tabpanel');
const stage1Panel = () => panelOf('Answers by model');

test('a finished conversation renders every stage from the stored run, without subscribing', async () => {
  const fake = renderConversation(conversation());

  expect(await screen.findByText('What is the capital of France?')).toBeTruthy();
  expect(stage1Panel().textContent).toContain('Paris is the capital.');
  await loadMarkdownRenderer();
  // Stage 2 shows model names instead of labels, and the ranking extracted from the review.
  const review = panelOf('Reviews by model');
  await waitFor(() => expect(within(review).getAllByText('grok-4', { selector: 'strong' })).toHaveLength(2));
  expect(review.textContent).not.toContain('Response B');
  const extracted = within(review).getByRole('heading', { name: 'Extracted ranking' }).parentElement as HTMLElement;
  expect(
    within(extracted)
      .getAllByRole('listitem')
      .map((li) => li.textContent),
  ).toEqual(['grok-4', 'gpt-5.1']);
  expect(screen.getByRole('table', { name: /street cred/i })).toBeTruthy();
  const finalAnswer = screen.getByRole('region', { name: 'Final answer' });
  expect(finalAnswer.textContent).toContain('Chairman: gemini-3-pro-preview');
  expect(finalAnswer.textContent).toContain('Final: Paris.');
  expect(fake.api.events.subscribe).not.toHaveBeenCalled();
  expect(box().disabled).toBe(false);
  expect(screen.getByText(/^This run:/).textContent).toBe(
    'This run: 1,801 tokens (1,234 prompt, 567 completion) · $0.012',
  );
});

test('a synthesis written by a stand-in says the chairman failed and who wrote it', async () => {
  renderConversation(
    conversation({
      runs: [
        runRecord({
          stage3: {
            model: 'x-ai/grok-4',
            status: 'completed',
            content: 'Stand-in: Paris.',
            error: null,
            usage: null,
            durationMs: 900,
            reasoning: null,
          },
          chairmanFailure: {
            model: 'google/gemini-3-pro-preview',
            error: { code: 'UPSTREAM_UNAVAILABLE', message: 'The provider is unavailable' },
          },
        }),
      ],
    }),
  );
  const finalAnswer = await screen.findByRole('region', { name: 'Final answer' });
  expect(finalAnswer.textContent).toContain('Chairman gemini-3-pro-preview failed; synthesis by grok-4');
  await waitFor(() => expect(finalAnswer.textContent).toContain('Stand-in: Paris.'));
  expect(finalAnswer.textContent).not.toContain('Chairman: ');
});

test('a run asked in answers mode shows its answer and says no review or synthesis was made', async () => {
  renderConversation(
    conversation({
      runs: [
        runRecord({
          mode: 'answers',
          labelToModel: null,
          aggregate: null,
          stage2: [],
          stage3: null,
        }),
      ],
    }),
  );
  const finalAnswer = await screen.findByRole('region', { name: 'Final answer' });
  expect(finalAnswer.textContent).toContain('Answers only: no peer review or synthesis');
  expect(finalAnswer.textContent).toContain('gpt-5.1');
  await waitFor(() => expect(finalAnswer.textContent).toContain('Paris is the capital.'));
  expect(finalAnswer.textContent).not.toContain('The chairman is weighing');
  expect(finalAnswer.textContent).not.toContain('Chairman');
});

test('a run asked in ranked mode leads with the answer the council ranked first', async () => {
  renderConversation(conversation({ runs: [runRecord({ mode: 'ranked', stage3: null })] }));
  const finalAnswer = await screen.findByRole('region', { name: 'Final answer' });
  expect(finalAnswer.textContent).toContain('Top-ranked answer');
  expect(finalAnswer.textContent).toContain('grok-4');
  await waitFor(() => expect(finalAnswer.textContent).toContain('The capital is Paris.'));
  expect(finalAnswer.textContent).not.toContain('The chairman is weighing');
});

test('reloading mid-run replays the stream from the start and shows text before the run finishes', async () => {
  const fake = renderConversation(
    conversation({
      runs: [
        runRecord({ status: 'running', stage1: [], stage2: [], stage3: null, aggregate: null, labelToModel: null }),
      ],
    }),
  );
  await screen.findByText('What is the capital of France?');
  expect(fake.api.events.subscribe).toHaveBeenCalledWith({ runId: RUN_ID }, expect.anything());
  expect(box().disabled).toBe(true);

  // Stage 1 is streaming: partial text is visible and the chips say who is answering.
  fake.emit(RUN_ID, completeRunEvents.slice(0, 5));
  await waitFor(() => expect(stage1Panel().textContent).toContain('Paris is the capital.'));
  const chips = screen.getByRole('list', { name: 'Council members' });
  expect(within(chips).getAllByText('answering')).toHaveLength(2);
  expect(screen.getByRole('status', { name: '' }).textContent).toMatch(/Stage 1 of 3/);
  expect(screen.queryByRole('region', { name: 'Final answer' })).toBeNull();

  fake.emit(RUN_ID, completeRunEvents.slice(5));
  await waitFor(() =>
    expect(screen.getByRole('region', { name: 'Final answer' }).textContent).toContain('The council agrees: Paris.'),
  );
  expect(screen.getByRole('table', { name: /street cred/i })).toBeTruthy();
  // The SDK's followRun hands events over asynchronously: the last one (run_completed) may land a tick later.
  await waitFor(() => expect(box().disabled).toBe(false));
  expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Capital of France');
});

test('each run shows its total tokens and cost: a stored run from its record, a live one once it ends', async () => {
  const fake = renderConversation(
    conversation({
      runs: [
        runRecord({ status: 'running', stage1: [], stage2: [], stage3: null, aggregate: null, labelToModel: null }),
      ],
    }),
  );
  await screen.findByText('What is the capital of France?');
  // While the run is live, its partial total would mislead: none is shown.
  expect(document.querySelector('.run-usage')).toBeNull();
  fake.emit(RUN_ID, completeRunEvents);
  await waitFor(() =>
    expect(screen.getByText(/^This run:/).textContent).toBe(
      'This run: 2,500 tokens (2,000 prompt, 500 completion) · $0.042',
    ),
  );
  expect(fake.api.get.query).toHaveBeenCalledWith({ runId: RUN_ID });
});

test('a stored run without any reported cost says so next to its tokens', async () => {
  renderConversation(
    conversation({
      runs: [
        runRecord({
          usage: { promptTokens: 90, completionTokens: 10, totalTokens: 100, cost: null, isImported: false },
        }),
      ],
    }),
  );
  expect((await screen.findByText(/^This run:/)).textContent).toBe(
    'This run: 100 tokens (90 prompt, 10 completion) · no cost reported',
  );
});

test('asking a question starts a run, shows the question at once and follows the new run', async () => {
  const fake = renderConversation(conversation());
  await screen.findByText('What is the capital of France?');
  fireEvent.input(box(), { target: { value: 'And of Italy?' } });
  fireEvent.keyDown(box(), { key: 'Enter' });

  expect(await screen.findByText('And of Italy?')).toBeTruthy();
  const startInput = fake.api.start.mutate.mock.lastCall?.[0] ?? {};
  expect(startInput).toMatchObject({ conversationId: conversation().id, content: 'And of Italy?' });
  expect(startInput['clientRequestId']).toMatch(/^[0-9a-f-]{36}$/);
  expect(fake.api.events.subscribe).toHaveBeenLastCalledWith({ runId: 'run-new' }, expect.anything());
  expect(box().disabled).toBe(true);

  fireEvent.click(screen.getByRole('button', { name: 'Stop the council' }));
  expect(fake.api.cancel.mutate).toHaveBeenCalledWith({ runId: 'run-new' });
  fake.emit('run-new', [{ type: 'run_cancelled' }]);
  await waitFor(() => expect(box().disabled).toBe(false));
  expect(screen.getByText('You stopped this run.', { exact: false })).toBeTruthy();
});

test('a stop the server refuses says so, and the run stays live and stoppable', async () => {
  const fake = renderConversation(conversation());
  await screen.findByText('What is the capital of France?');
  fireEvent.input(box(), { target: { value: 'And of Italy?' } });
  fireEvent.keyDown(box(), { key: 'Enter' });
  await screen.findByText('And of Italy?');
  fake.api.cancel.mutate.mockRejectedValueOnce(
    await sdkError({ code: 'TOO_MANY_REQUESTS', message: 'Too many requests; wait a moment.' }),
  );

  fireEvent.click(screen.getByRole('button', { name: 'Stop the council' }));
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toContain('Could not stop the run: Too many requests; wait a moment.');
  expect(box().disabled).toBe(true);

  // A second try that goes through clears the message and ends the run.
  fireEvent.click(screen.getByRole('button', { name: 'Stop the council' }));
  await waitFor(() => expect(screen.queryByText(/Could not stop the run/)).toBeNull());
  fake.emit('run-new', [{ type: 'run_cancelled' }]);
  await waitFor(() => expect(box().disabled).toBe(false));
});

test('without an API key the question stays in the box and Settings is one click away', async () => {
  const fake = renderConversation(conversation({ messages: [], runs: [] }));
  fake.api.start.mutate.mockRejectedValueOnce(
    await sdkError({
      code: 'PRECONDITION_FAILED',
      message: 'Add an OpenRouter API key in Settings first.',
      appCode: 'NO_API_KEY',
    }),
  );
  await screen.findByText(/No questions yet/);
  fireEvent.input(box(), { target: { value: 'Hello?' } });
  fireEvent.keyDown(box(), { key: 'Enter' });

  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toContain('Add an OpenRouter API key in Settings first.');
  expect(within(alert).getByRole('link', { name: 'Open Settings' }).getAttribute('href')).toBe('/settings');
  expect(box().value).toBe('Hello?');
});

test('a failed run offers Retry, which resumes the same run’s stream', async () => {
  const fake = renderConversation(
    conversation({
      runs: [
        runRecord({
          status: 'failed',
          error: { code: 'UPSTREAM_UNAVAILABLE', message: 'The model is unavailable right now.', stage: 'stage3' },
          stage3: {
            model: 'google/gemini-3-pro-preview',
            status: 'failed',
            content: null,
            error: { code: 'UPSTREAM_UNAVAILABLE', message: 'The model is unavailable right now.' },
            usage: null,
            durationMs: null,
            reasoning: null,
          },
        }),
      ],
    }),
  );
  await screen.findByText(/This run failed: The model is unavailable right now\./);
  const [bannerRetry] = screen.getAllByRole('button', { name: /Retry/ });
  fireEvent.click(bannerRetry as HTMLElement);

  await waitFor(() => expect(fake.api.retry.mutate).toHaveBeenCalledWith({ runId: RUN_ID }));
  await waitFor(() => expect(fake.api.events.subscribe).toHaveBeenCalledWith({ runId: RUN_ID }, expect.anything()));
  expect(box().disabled).toBe(true);
});

test('a dropped event stream shows "Reconnecting…" and resumes by itself after the last event seen', async () => {
  const fake = renderConversation(
    conversation({
      runs: [
        runRecord({ status: 'running', stage1: [], stage2: [], stage3: null, aggregate: null, labelToModel: null }),
      ],
    }),
  );
  await screen.findByText('What is the capital of France?');
  fake.emit(RUN_ID, completeRunEvents.slice(0, 5));
  await waitFor(() => expect(stage1Panel().textContent).toContain('Paris is the capital.'));

  // The server goes away mid-run (a restart): a network error, not a refusal.
  fake.subscriptions.at(-1)?.observer.onError?.(new TypeError('network error'));
  expect((await screen.findByText(/Reconnecting…/)).textContent).toContain('nothing it says is lost');
  expect(screen.queryByText(/Lost the live connection/)).toBeNull();

  // Half a second later the client subscribes again from the last event it saw, without a click.
  await waitFor(() => expect(fake.api.events.subscribe).toHaveBeenCalledTimes(2), { timeout: 2_000 });
  expect(fake.api.events.subscribe).toHaveBeenLastCalledWith({ runId: RUN_ID, lastEventId: '5' }, expect.anything());
  fake.emit(RUN_ID, completeRunEvents.slice(5));
  await waitFor(() =>
    expect(screen.getByRole('region', { name: 'Final answer' }).textContent).toContain('The council agrees: Paris.'),
  );
  expect(screen.queryByText(/Reconnecting…/)).toBeNull();
});

test('a refused event stream (the run is gone) is not retried: the view says the connection is lost and offers Reconnect', async () => {
  const fake = renderConversation(
    conversation({
      runs: [
        runRecord({ status: 'running', stage1: [], stage2: [], stage3: null, aggregate: null, labelToModel: null }),
      ],
    }),
  );
  await screen.findByText('What is the capital of France?');
  fake.emit(RUN_ID, completeRunEvents.slice(0, 3));
  // The server answered NOT_FOUND: one of the SDK's refusals, which no reconnect changes.
  const refusal = Object.assign(new Error('Run not found'), { data: { code: 'NOT_FOUND', httpStatus: 404 } });
  fake.subscriptions.at(-1)?.observer.onError?.(refusal);
  expect((await screen.findByText(/Lost the live connection/)).textContent).toContain('Run not found');
  expect(screen.queryByText(/Reconnecting…/)).toBeNull();
  // The policy's first reconnect would come after half a second: none comes.
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(fake.api.events.subscribe).toHaveBeenCalledTimes(1);

  fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));
  await waitFor(() => expect(fake.api.events.subscribe).toHaveBeenCalledTimes(2));
  expect(fake.api.events.subscribe).toHaveBeenLastCalledWith({ runId: RUN_ID, lastEventId: '3' }, expect.anything());
});
