import { fireEvent, screen, within } from '@solidjs/testing-library';
import type { JSX } from 'solid-js';
import { expect, test } from 'vitest';
import type { CouncilEvent } from './council-types';
import { RUN_ID, envelopes } from '../testing/council-events';
import { clientFor, fakeTrpcServer } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { applyRunEvent } from '@llm-council/sdk';
import { ProgressStrip } from './progress-strip';
import { createRunState, type RunState } from './run-state';
import { Stage2Panel } from './stage2-panel';

// A run with everything the council method can report: a late model, a repaired review, a tie
// for first place and a close verdict — rendered as the user sees it.

// The reviews are markdown views, which ask the server for maths (these have none).
const render = (ui: () => JSX.Element) => renderWithClient(ui, clientFor(fakeTrpcServer({})));

const [A, B, C, LATE] = ['m/alpha', 'm/beta', 'm/gamma', 'm/late'];
const labelToModel = { 'Response A': B, 'Response B': C, 'Response C': A };

const review = (
  reviewer: string,
  ranking: string[],
  extra: Partial<Extract<CouncilEvent, { type: 'review_completed' }>>,
) => ({
  type: 'review_completed' as const,
  reviewer,
  content: `Review by ${reviewer}.\n\nFINAL RANKING:\n${ranking.map((l, i) => `${i + 1}. ${l}`).join('\n')}`,
  parsedRanking: ranking,
  usage: null,
  durationMs: 10,
  rankingStatus: 'ok' as const,
  repaired: false,
  ...extra,
});

const events: CouncilEvent[] = [
  { type: 'run_started', models: [A, B, C, LATE], chairmanModel: 'm/chair', attempt: 1 },
  { type: 'stage_started', stage: 'stage1' },
  ...[A, B, C].map((model) => ({
    type: 'model_completed' as const,
    stage: 'stage1' as const,
    model,
    content: `Answer of ${model}.`,
    usage: null,
    durationMs: 5,
  })),
  { type: 'model_late', stage: 'stage1', model: LATE, waitedMs: 90_000 },
  { type: 'stage_completed', stage: 'stage1' },
  { type: 'labels_assigned', labelToModel },
  { type: 'stage_started', stage: 'stage2' },
  review(A, ['Response C', 'Response A', 'Response B'], {
    repaired: true,
    repairContent: 'FINAL RANKING: Response C > Response A > Response B',
    shownOrder: ['Response B', 'Response C', 'Response A'],
    selfRank: 1,
  }),
  review(B, ['Response B', 'Response A', 'Response C'], {
    shownOrder: ['Response C', 'Response A', 'Response B'],
    selfRank: 2,
  }),
  review(C, ['Response C', 'Response B', 'Response A'], {
    shownOrder: ['Response A', 'Response B', 'Response C'],
    selfRank: 2,
  }),
  {
    type: 'aggregate_ranked',
    aggregate: [
      { model: A, place: 1, score: 0.5, averageRank: 1.5, votes: 2, selfRank: 1, rankingsCount: 2 },
      { model: C, place: 1, score: 0.5, averageRank: 1.5, votes: 2, selfRank: 2, rankingsCount: 2 },
      // Stored by an older server, which split equal scores by head-to-head wins: shown shared.
      { model: B, place: 3, score: 0.5, averageRank: 1.5, votes: 2, selfRank: 2, rankingsCount: 2 },
    ],
    verdict: {
      kind: 'close',
      models: [A, C, B],
      firstPlaces: { [A]: 1, [B]: 1, [C]: 1 },
      peers: 3,
      sentence: 'm/alpha, m/gamma and m/beta share first place (first places: m/alpha 1, m/gamma 1, m/beta 1).',
    },
    agreement: { kendallW: 0.11, pValue: 0.81 },
    allVotes: [
      { model: A, place: 1, score: 0.67, averageRank: 1.67, votes: 3, selfRank: 1, rankingsCount: 3 },
      { model: B, place: 2, score: 0.5, averageRank: 2, votes: 3, selfRank: 2, rankingsCount: 3 },
      { model: C, place: 3, score: 0.33, averageRank: 2.33, votes: 3, selfRank: 2, rankingsCount: 3 },
    ],
  },
  { type: 'stage_completed', stage: 'stage2' },
];

function stateAfter(list: CouncilEvent[]): RunState {
  return envelopes(list).reduce(applyRunEvent, createRunState({ runId: RUN_ID, models: [], chairmanModel: '' }));
}

test('the verdict shows shared places, self-votes apart, "Close" in plain words, a repaired review and a late model', () => {
  const state = stateAfter(events);
  render(() => (
    <>
      <ProgressStrip state={state} />
      <Stage2Panel state={state} />
    </>
  ));

  const table = screen.getByRole('table', { name: /peer ranking/i });
  const rows = within(table).getAllByRole('row').slice(1);
  expect(rows.map((row) => Array.from(row.children, (cell) => cell.textContent?.trim()))).toEqual([
    ['#1 (tie)', 'alpha', '1.50', '2', '#1'],
    ['#1 (tie)', 'gamma', '1.50', '2', '#2'],
    ['#1 (tie)', 'beta', '1.50', '2', '#2'],
  ]);
  expect(screen.getByText('Equal scores share a place; there is no tie-break.')).toBeTruthy();
  const verdict = screen.getByRole('group', { name: 'Verdict' });
  expect(verdict.querySelector('.verdict-headline')?.textContent).toBe('Close');
  expect(verdict.textContent).toContain('m/alpha, m/gamma and m/beta share first place');
  // W and p only behind the disclosure, never in the headline.
  expect(verdict.querySelector('.verdict-line')?.textContent).not.toMatch(/W 0|contested/);
  const details = verdict.querySelector('details');
  expect(details?.open).toBe(false);
  expect(details?.textContent).toContain('agreement W 0.11 · p 0.810');

  // The first reviewer's tab is open: its reading order, parse status and the repair.
  expect(screen.getByText('gamma → alpha → beta')).toBeTruthy();
  expect(screen.getByText('repaired')).toBeTruthy();
  expect(screen.getByText('FINAL RANKING: alpha > beta > gamma')).toBeTruthy();
  expect(screen.getByText(/ranked #1 by itself/)).toBeTruthy();

  const chips = screen.getByRole('list', { name: 'Council members' });
  const lateChip = within(chips)
    .getByText(/late, left out/)
    .closest('li');
  expect(lateChip?.textContent).toContain('late');
  expect(lateChip?.className).toContain('chip-late');
});

test('reviews and tables stored before the council method still render, without the new details', () => {
  const legacy = events.map((event): CouncilEvent => {
    if (event.type === 'review_completed') {
      const { shownOrder: _o, rankingStatus: _s, repaired: _r, selfRank: _f, ...old } = event;
      return old;
    }
    if (event.type === 'aggregate_ranked') {
      return {
        type: 'aggregate_ranked',
        aggregate: event.aggregate.map(({ model, averageRank, rankingsCount }) => ({
          model,
          averageRank,
          rankingsCount,
        })),
      };
    }
    return event;
  });
  render(() => <Stage2Panel state={stateAfter(legacy)} />);
  const table = screen.getByRole('table', { name: /peer ranking/i });
  expect(within(table).getAllByRole('row')).toHaveLength(4);
  expect(screen.queryByRole('group', { name: 'Verdict' })).toBeNull();
  expect(screen.queryByText('repaired')).toBeNull();
  expect(screen.queryByText(/Read in this order/)).toBeNull();
});

test('the all-votes view, with self-votes counted, is one click away', () => {
  render(() => <Stage2Panel state={stateAfter(events)} />);
  fireEvent.click(screen.getByRole('button', { name: 'Show with self-votes counted' }));
  const table = screen.getByRole('table', { name: /self-votes counted/i });
  const names = within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.children[1]?.textContent);
  expect(names).toEqual(['alpha', 'beta', 'gamma']);
  expect(screen.getByRole('button', { name: 'Show the peer ranking' }).getAttribute('aria-pressed')).toBe('true');
});

test('every peer putting the same model first reads "Clear winner" with its evidence, W only in the details', () => {
  const unanimous = events.map((event): CouncilEvent => {
    if (event.type !== 'aggregate_ranked') return event;
    return {
      ...event,
      aggregate: [
        { model: C, place: 1, score: 1, averageRank: 1, votes: 2, selfRank: 1, rankingsCount: 2 },
        { model: A, place: 2, score: 0.25, averageRank: 1.75, votes: 2, selfRank: 2, rankingsCount: 2 },
        { model: B, place: 2, score: 0.25, averageRank: 1.75, votes: 2, selfRank: 1, rankingsCount: 2 },
      ],
      verdict: {
        kind: 'clear_winner',
        models: [C],
        firstPlaces: { [C]: 2 },
        peers: 3,
        sentence: 'm/gamma ranked first by 2 of 2 peers.',
      },
      agreement: { kendallW: 0.53, pValue: 0.094 },
    };
  });
  render(() => <Stage2Panel state={stateAfter(unanimous)} />);
  const verdict = screen.getByRole('group', { name: 'Verdict' });
  expect(verdict.querySelector('.verdict-line')?.textContent).toBe(
    'Clear winner m/gamma ranked first by 2 of 2 peers.',
  );
  expect(screen.queryByText(/contested/i)).toBeNull();
  fireEvent.click(within(verdict).getByText('Details'));
  expect(verdict.querySelector('details')?.textContent).toContain('agreement W 0.53 · p 0.094');
});
