import { fireEvent, screen, waitFor } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { expect, test, vi } from 'vitest';
import { renderUi } from '../testing/render';
import { Composer } from './composer';

const box = () => screen.getByLabelText<HTMLTextAreaElement>('Message the council');
const type = (text: string) => fireEvent.input(box(), { target: { value: text } });

test('Enter sends the trimmed text and clears the box', async () => {
  const onSend = vi.fn(() => Promise.resolve(true));
  renderUi(() => <Composer onSend={onSend} isRunLive={false} />);
  type('  What is the capital of France?  ');
  fireEvent.keyDown(box(), { key: 'Enter' });

  await waitFor(() => expect(box().value).toBe(''));
  expect(onSend).toHaveBeenCalledWith('What is the capital of France?', []);
});

test('Shift+Enter does not send (it is a new line)', () => {
  const onSend = vi.fn(() => Promise.resolve(true));
  renderUi(() => <Composer onSend={onSend} isRunLive={false} />);
  type('line one');
  const event = fireEvent.keyDown(box(), { key: 'Enter', shiftKey: true });

  expect(onSend).not.toHaveBeenCalled();
  expect(event).toBe(true); // not prevented: the textarea inserts the newline
});

test('a failed send keeps the text for another try', async () => {
  const onSend = vi.fn(() => Promise.resolve(false));
  renderUi(() => <Composer onSend={onSend} isRunLive={false} />);
  type('Keep me');
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));

  await waitFor(() => expect(onSend).toHaveBeenCalled());
  expect(box().value).toBe('Keep me');
});

test('while a run is live the box is disabled and the button stops the run', () => {
  const onStop = vi.fn();
  const [isLive, setLive] = createSignal(true);
  renderUi(() => <Composer onSend={() => Promise.resolve(true)} onStop={onStop} isRunLive={isLive()} />);

  expect(box().disabled).toBe(true);
  expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
  fireEvent.click(screen.getByRole('button', { name: 'Stop the council' }));
  expect(onStop).toHaveBeenCalledOnce();

  setLive(false);
  expect(box().disabled).toBe(false);
  expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
});

test('blank text cannot be sent', () => {
  const onSend = vi.fn(() => Promise.resolve(true));
  renderUi(() => <Composer onSend={onSend} isRunLive={false} />);
  type('   \n ');
  fireEvent.keyDown(box(), { key: 'Enter' });

  expect(onSend).not.toHaveBeenCalled();
  expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Send' }).disabled).toBe(true);
});
