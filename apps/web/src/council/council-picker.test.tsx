import { fireEvent, screen, within } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { expect, test } from 'vitest';
import { renderUi } from '../testing/render';
import { CouncilPicker, isValidChoice, type CouncilChoice } from './council-picker';
import type { ModelCatalog } from './council-types';

const catalog: ModelCatalog = {
  provider: 'openrouter',
  source: 'catalog',
  defaults: { models: ['openai/gpt-5.1', 'x-ai/grok-4'], chairmanModel: 'google/gemini-3-pro-preview' },
  models: [
    {
      id: 'openai/gpt-5.1',
      name: 'OpenAI: GPT-5.1',
      contextLength: 400_000,
      pricing: { prompt: 1.25e-6, completion: 1e-5 },
    },
    { id: 'x-ai/grok-4', name: 'xAI: Grok 4', contextLength: 256_000, pricing: null },
    { id: 'google/gemini-3-pro-preview', name: 'Google: Gemini 3 Pro Preview', contextLength: null, pricing: null },
    {
      id: 'anthropic/claude-sonnet-4.5',
      name: 'Anthropic: Claude Sonnet 4.5',
      contextLength: 1_000_000,
      pricing: null,
    },
  ],
};

function renderPicker() {
  const [choice, setChoice] = createSignal<CouncilChoice>({
    ...catalog.defaults,
    models: [...catalog.defaults.models],
  });
  renderUi(() => <CouncilPicker catalog={catalog} choice={choice()} onChange={setChoice} />);
  fireEvent.click(screen.getByRole('button', { name: 'Change' }));
  return choice;
}

const option = (name: RegExp) => screen.getByRole<HTMLInputElement>('checkbox', { name });

test('the defaults are preselected, with the chairman', () => {
  renderPicker();
  expect(option(/GPT-5\.1/).checked).toBe(true);
  expect(option(/Grok 4/).checked).toBe(true);
  expect(option(/Claude Sonnet/).checked).toBe(false);
  expect(screen.getByLabelText<HTMLSelectElement>(/Chairman/).value).toBe('google/gemini-3-pro-preview');
  expect(
    within(screen.getByRole('list', { name: 'Council members' }))
      .getAllByRole('listitem')
      .map((li) => li.textContent?.trim()),
  ).toEqual(['gpt-5.1', 'grok-4', 'gemini-3-pro-preview· chairman']);
});

test('searching by name narrows the list', () => {
  renderPicker();
  fireEvent.input(screen.getByLabelText('Search models'), { target: { value: 'claude' } });
  expect(
    screen
      .getAllByRole('checkbox')
      .map((box) => box.closest('label')?.querySelector('.picker-option-name')?.textContent),
  ).toEqual(['Anthropic: Claude Sonnet 4.5']);
});

test('models and the chairman can be changed, and fewer than two models is flagged', () => {
  const choice = renderPicker();
  fireEvent.click(option(/Claude Sonnet/));
  fireEvent.change(screen.getByLabelText(/Chairman/), { target: { value: 'anthropic/claude-sonnet-4.5' } });
  expect(choice()).toEqual({
    models: ['openai/gpt-5.1', 'x-ai/grok-4', 'anthropic/claude-sonnet-4.5'],
    chairmanModel: 'anthropic/claude-sonnet-4.5',
  });

  fireEvent.click(option(/GPT-5\.1/));
  fireEvent.click(option(/Grok 4/));
  expect(choice().models).toEqual(['anthropic/claude-sonnet-4.5']);
  expect(screen.getByRole('alert').textContent).toBe('Choose at least 2 models.');
});

test('in answers mode one model is a council and there is no chairman to choose', () => {
  const [choice, setChoice] = createSignal<CouncilChoice>({ ...catalog.defaults, models: ['openai/gpt-5.1'] });
  renderUi(() => <CouncilPicker catalog={catalog} choice={choice()} onChange={setChoice} mode="answers" />);
  fireEvent.click(screen.getByRole('button', { name: 'Change' }));
  expect(screen.queryByRole('alert')).toBeNull();
  expect(screen.queryByLabelText('Chairman (writes the final answer)')).toBeNull();
  const members = within(screen.getByRole('list', { name: 'Council members' }));
  expect(members.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['gpt-5.1']);
  expect(isValidChoice(choice(), 'answers')).toBe(true);
  expect(isValidChoice(choice(), 'ranked')).toBe(false);
  expect(screen.getByText(/choose 1 to/)).toBeTruthy();
});
