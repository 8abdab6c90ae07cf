import { screen, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { renderUi as render } from '../testing/render';
import { RankingTable, rankPositions } from './ranking-table';

const aggregate = [
  { model: 'anthropic/claude-sonnet-4.5', averageRank: 1.25, rankingsCount: 4 },
  { model: 'openai/gpt-5.1', averageRank: 2, rankingsCount: 4 },
  { model: 'x-ai/grok-4', averageRank: 2, rankingsCount: 3 },
  { model: 'google/gemini-3-pro-preview', averageRank: 3.75, rankingsCount: 4 },
];

test('the street-cred table lists rank, short model name, average rank and votes in order', () => {
  render(() => <RankingTable aggregate={aggregate} modelCount={4} />);
  const table = screen.getByRole('table', { name: /street cred/i });
  const rows = within(table).getAllByRole('row').slice(1);

  expect(rows.map((row) => Array.from(row.children, (cell) => cell.textContent?.trim()))).toEqual([
    ['#1', 'claude-sonnet-4.5', '1.25', '4', '–'],
    ['#2 (tie)', 'gpt-5.1', '2.00', '4', '–'],
    ['#2 (tie)', 'grok-4', '2.00', '3', '–'],
    ['#4', 'gemini-3-pro-preview', '3.75', '4', '–'],
  ]);
  expect(
    within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent),
  ).toEqual(['Place', 'Model', 'Average rank', 'Votes', 'Own vote']);
});

test('tied averages share a place (competition ranking) when the server sent no places', () => {
  expect(rankPositions(aggregate)).toEqual([1, 2, 2, 4]);
});

test('equal scores share a place, also in runs stored when a head-to-head count split them', () => {
  const scores = [0.9, 0.5, 0.5, 0.1];
  const stored = aggregate.map((row, i) => ({ ...row, place: i + 1, score: scores[i] }));
  expect(rankPositions(stored)).toEqual([1, 2, 2, 4]);
});

test('a council of two shows the verdict sentence instead of an empty table', () => {
  const sentence =
    'With two answers each reviewer judged only the other one, so there is no peer ranking: read both answers.';
  render(() => (
    <RankingTable
      aggregate={[]}
      modelCount={2}
      verdict={{ kind: 'unranked', models: [], firstPlaces: {}, peers: 0, sentence }}
    />
  ));
  expect(screen.getByText('No peer ranking')).toBeTruthy();
  expect(screen.getByText(sentence)).toBeTruthy();
  expect(screen.queryByRole('table')).toBeNull();
});

test('an empty aggregate says no ranking could be read', () => {
  render(() => <RankingTable aggregate={[]} modelCount={3} />);
  expect(screen.getByText(/no reviewer produced a ranking/i)).toBeTruthy();
});
