import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, expect, test } from 'vitest';
import { AppearanceSection } from './appearance-section';

afterEach(() => {
  cleanup();
  localStorage.clear();
  delete document.documentElement.dataset['theme'];
});

test('choosing a theme applies it to the page at once and remembers it; System forgets the choice', () => {
  render(() => <AppearanceSection />);
  expect(screen.getByRole<HTMLInputElement>('radio', { name: 'System' }).checked).toBe(true);

  fireEvent.click(screen.getByRole('radio', { name: 'Dark' }));
  expect(document.documentElement.dataset['theme']).toBe('dark');
  expect(localStorage.getItem('llm-council.theme')).toBe('dark');

  cleanup();
  render(() => <AppearanceSection />);
  expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Dark' }).checked).toBe(true);

  fireEvent.click(screen.getByRole('radio', { name: 'System' }));
  expect(document.documentElement.dataset['theme']).toBeUndefined();
  expect(localStorage.getItem('llm-council.theme')).toBeNull();
});
