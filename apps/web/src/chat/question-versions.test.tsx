import { fireEvent, screen, waitFor } from '@solidjs/testing-library';
import { expect, test, vi } from 'vitest';
import { CopyButton } from '../council/copy-button';
import type { Conversation } from '../council/council-types';
import { conversation, runRecord, userMessage } from '../testing/conversation-fixtures';
import { sdkError } from '../testing/fake-trpc-fetch';
import { renderConversation } from '../testing/render-conversation';
import { render } from '@solidjs/testing-library';

// Issue 19 §3: edit a question in place (a new branch), "‹ 2 / 3 ›" between its versions, copy.

const FIRST = 'a3c8e2f4-1d7b-4c2e-8f1a-2b9d6e5c4a01';
const SECOND = 'b4d9f3a5-2e8c-4d3f-9a2b-3c0e7f6d5b02';

/** The conversation with version `shown` of a question that has two. */
function withVersions(shown: string, content: string): Conversation {
  return conversation({
    messages: [userMessage(content, shown, 1, [FIRST, SECOND])],
    runs: [runRecord({ userMessageId: shown, id: `run-${shown}` })],
  });
}

test('"‹ 2 / 2 ›" shows the other version through conversations.showVersion and redraws that branch', async () => {
  const fake = renderConversation(withVersions(SECOND, 'Second version?'));
  fake.conversations.showVersion.mutate.mockResolvedValueOnce(withVersions(FIRST, 'First version?'));
  await screen.findByText('Second version?');
  const versions = screen.getByRole('navigation', { name: 'Versions of this question' });
  expect(versions.textContent).toContain('2 / 2');
  expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Next version' }).disabled).toBe(true);

  fireEvent.click(screen.getByRole('button', { name: 'Previous version' }));
  await screen.findByText('First version?');
  expect(fake.conversations.showVersion.mutate).toHaveBeenCalledWith({ messageId: FIRST });
  expect(screen.queryByText('Second version?')).toBeNull();
  expect(screen.getByRole('navigation', { name: 'Versions of this question' }).textContent).toContain('1 / 2');
  expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Previous version' }).disabled).toBe(true);
});

test('a link to a question on a branch not shown (a search hit) shows that branch', async () => {
  const fake = renderConversation(withVersions(SECOND, 'Second version?'), {
    hash: `#turn-${FIRST}`,
    script: (council) =>
      council.conversations.showVersion.mutate.mockResolvedValueOnce(withVersions(FIRST, 'First version?')),
  });
  await screen.findByText('First version?');
  expect(fake.conversations.showVersion.mutate).toHaveBeenCalledWith({ messageId: FIRST });
  expect(screen.queryByText('Second version?')).toBeNull();
});

test('a link to a question already shown switches nothing', async () => {
  const fake = renderConversation(withVersions(SECOND, 'Second version?'), { hash: `#turn-${SECOND}` });
  await screen.findByText('Second version?');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(fake.conversations.showVersion.mutate).not.toHaveBeenCalled();
});

test('a question with one version has no switcher', async () => {
  renderConversation(conversation());
  await screen.findByText('What is the capital of France?');
  expect(screen.queryByRole('navigation', { name: 'Versions of this question' })).toBeNull();
  expect(screen.queryByRole('button', { name: 'Previous version' })).toBeNull();
});

test('Edit opens the question in place; sending it starts the new branch with council.edit and shows it', async () => {
  const fake = renderConversation(conversation());
  fake.conversations.get.query.mockResolvedValueOnce(withVersions(SECOND, 'What is the capital of Italy?'));
  await screen.findByText('What is the capital of France?');
  fireEvent.click(screen.getByRole('button', { name: 'Edit this question' }));
  const box = screen.getByLabelText<HTMLTextAreaElement>('Edit your question');
  expect(box.value).toBe('What is the capital of France?');
  fireEvent.input(box, { target: { value: '  What is the capital of Italy?  ' } });
  fireEvent.click(screen.getByRole('button', { name: 'Send edit' }));

  await screen.findByText('What is the capital of Italy?');
  expect(fake.api.edit.mutate).toHaveBeenCalledWith(
    expect.objectContaining({ messageId: FIRST, content: 'What is the capital of Italy?' }),
  );
  expect(fake.conversations.get.query).toHaveBeenCalledWith({ id: conversation().id });
  expect(screen.queryByLabelText('Edit your question')).toBeNull();
  expect(screen.getByRole('navigation', { name: 'Versions of this question' }).textContent).toContain('2 / 2');
});

test('a refused edit keeps the form open with the text and says why; Cancel closes it unchanged', async () => {
  const fake = renderConversation(conversation());
  fake.api.edit.mutate.mockRejectedValueOnce(
    await sdkError({
      code: 'TOO_MANY_REQUESTS',
      message: 'You already have 2 council runs going.',
      appCode: 'RUN_LIMIT_REACHED',
    }),
  );
  await screen.findByText('What is the capital of France?');
  fireEvent.click(screen.getByRole('button', { name: 'Edit this question' }));
  const box = screen.getByLabelText<HTMLTextAreaElement>('Edit your question');
  fireEvent.input(box, { target: { value: 'Another question?' } });
  fireEvent.click(screen.getByRole('button', { name: 'Send edit' }));

  expect((await screen.findByRole('alert')).textContent).toContain('You already have 2 council runs going.');
  expect(screen.getByLabelText<HTMLTextAreaElement>('Edit your question').value).toBe('Another question?');
  expect(fake.conversations.get.query).not.toHaveBeenCalled();
  fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
  expect(screen.queryByLabelText('Edit your question')).toBeNull();
  expect(screen.getByText('What is the capital of France?')).toBeTruthy();
});

test('while a run is live its question can be neither edited nor switched', async () => {
  renderConversation(
    conversation({
      messages: [userMessage('Live question?', SECOND, 1, [FIRST, SECOND])],
      runs: [
        runRecord({
          userMessageId: SECOND,
          status: 'running',
          stage1: [],
          stage2: [],
          stage3: null,
          aggregate: null,
          labelToModel: null,
        }),
      ],
    }),
  );
  await screen.findByText('Live question?');
  expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Edit this question' }).disabled).toBe(true);
  expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Previous version' }).disabled).toBe(true);
});

test('Regenerate on a finished final answer asks for a new version of the turn and shows it', async () => {
  const fake = renderConversation(conversation());
  fake.conversations.get.query.mockResolvedValueOnce(withVersions(SECOND, 'What is the capital of France?'));
  await screen.findByText('What is the capital of France?');
  fireEvent.click(screen.getByRole('button', { name: 'Regenerate the final answer' }));
  await waitFor(() =>
    expect(screen.getByRole('navigation', { name: 'Versions of this question' }).textContent).toContain('2 / 2'),
  );
  expect(fake.api.regenerate.mutate).toHaveBeenCalledWith(expect.objectContaining({ runId: runRecord().id }));
  // One model's answer again, from its tab.
  fireEvent.click(screen.getByRole('button', { name: 'Regenerate gpt-5.1’s answer' }));
  await waitFor(() =>
    expect(fake.api.regenerate.mutate).toHaveBeenLastCalledWith(
      expect.objectContaining({ runId: `run-${SECOND}`, model: 'openai/gpt-5.1' }),
    ),
  );
});

test('a run not finished offers no Regenerate', async () => {
  renderConversation(
    conversation({
      runs: [runRecord({ status: 'failed', stage3: null, error: { code: 'X', message: 'It failed.' } })],
    }),
  );
  await screen.findByText('What is the capital of France?');
  expect(screen.queryByRole('button', { name: 'Regenerate the final answer' })).toBeNull();
  expect(screen.queryByRole('button', { name: /^Regenerate .*’s answer$/ })).toBeNull();
});

test('a copy button puts the text on the clipboard and says "Copied"', async () => {
  const writeText = vi.fn(() => Promise.resolve());
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  render(() => <CopyButton text={'**Final** answer'} label="Copy the final answer" />);
  const button = screen.getByRole('button', { name: 'Copy the final answer' });
  expect(button.textContent).toBe('Copy');
  fireEvent.click(button);
  await waitFor(() => expect(button.textContent).toBe('Copied'));
  expect(writeText).toHaveBeenCalledWith('**Final** answer');
});

test('a live run is followed only while its branch is shown: a link to another version ends its stream', async () => {
  const liveOn = (shown: string, content: string) =>
    conversation({
      messages: [userMessage(content, shown, 1, [FIRST, SECOND])],
      runs: [
        shown === SECOND
          ? runRecord({
              userMessageId: shown,
              id: `run-${shown}`,
              status: 'running',
              stage1: [],
              stage2: [],
              stage3: null,
              aggregate: null,
              labelToModel: null,
            })
          : runRecord({ userMessageId: shown, id: `run-${shown}` }),
      ],
    });
  // Opened on the live branch through a search hit on the other version.
  const fake = renderConversation(liveOn(SECOND, 'Second version?'), {
    hash: `#turn-${FIRST}`,
    script: (council) =>
      council.conversations.showVersion.mutate.mockResolvedValueOnce(liveOn(FIRST, 'First version?')),
  });
  await screen.findByText('First version?');
  expect(screen.queryByText('Second version?')).toBeNull();
  await waitFor(() => expect(fake.subscriptions.filter((s) => !s.isClosed)).toEqual([]));
});
