import { screen, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { conversation, runRecord } from '../testing/conversation-fixtures';
import { renderConversation } from '../testing/render-conversation';

// Issue 22 §4: an answer that searched the web lists its sources under it, numbered, as safe links.

const sources = [
  { url: 'https://en.wikipedia.org/wiki/Paris', title: 'Paris - Wikipedia' },
  { url: 'https://example.org/a/very/long/path/that/goes/on/and/on/for/a/while/longer/still', title: null },
];

test('each answer’s sources are listed under it as numbered links that open safely in a new tab', async () => {
  const record = runRecord();
  renderConversation(
    conversation({
      runs: [
        runRecord({
          webSearch: true,
          stage1: record.stage1.map((answer, i) => ({ ...answer, sources: i === 0 ? sources : [] })),
        }),
      ],
    }),
  );
  const list = await screen.findByRole('region', { name: 'Sources cited by gpt-5.1' });
  const links = within(list).getAllByRole('link');
  expect(links.map((a) => a.textContent)).toEqual([
    'Paris - Wikipedia',
    'example.org/a/very/long/path/that/goes/on/and/on/for/a/whi…',
  ]);
  expect(links.map((a) => a.getAttribute('href'))).toEqual(sources.map((s) => s.url));
  for (const link of links) {
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
  }
  // An answer without sources shows no list.
  expect(screen.queryAllByRole('region', { name: /^Sources cited by/ })).toHaveLength(1);
});
