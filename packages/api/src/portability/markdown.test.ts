import { expect, test } from 'vitest';
import type { ExportedConversation, ExportedRun } from './export-format.js';
import { conversationToMarkdown } from './markdown.js';

// The Markdown export of the street-cred table: the verdict in plain words, shared places for
// ties, and a sentence instead of an empty table for a council of two.

const at = '2026-12-01T10:00:00.000Z';
const labelToModel = { 'Response A': 'm/alpha', 'Response B': 'm/beta', 'Response C': 'm/gamma' };

function conversationWith(run: Partial<ExportedRun>): ExportedConversation {
  const questionId = crypto.randomUUID();
  return {
    id: crypto.randomUUID(),
    title: 'Ties',
    councilModels: null,
    chairmanModel: null,
    createdAt: at,
    updatedAt: at,
    importedAt: null,
    messages: [{ id: questionId, role: 'user', content: 'Which is best?', createdAt: at }],
    runs: [
      {
        id: crypto.randomUUID(),
        userMessageId: questionId,
        status: 'completed',
        provider: 'openrouter',
        models: Object.values(labelToModel),
        chairmanModel: 'm/chair',
        titleModel: null,
        mode: 'full',
        instructions: null,
        reasoningEffort: 'none',
        webSearch: false,
        labelToModel,
        aggregate: null,
        verdict: null,
        error: null,
        attempt: 1,
        createdAt: at,
        startedAt: at,
        finishedAt: at,
        responses: [],
        ...run,
      },
    ],
  };
}

const review = (model: string, parsedRanking: string[]) => ({
  stage: 'stage2' as const,
  model,
  status: 'completed' as const,
  content: 'A review.',
  parsedRanking,
  reviewDetails: null,
  error: null,
  usage: null,
  durationMs: 1,
  attempt: 1,
});

test('tied rows share a place in the Markdown table, the verdict says close, and no tie-break is claimed', () => {
  const md = conversationToMarkdown(
    conversationWith({
      aggregate: [
        { model: 'm/alpha', place: 1, score: 0.5, averageRank: 1.5, votes: 2, rankingsCount: 2 },
        { model: 'm/gamma', place: 1, score: 0.5, averageRank: 1.5, votes: 2, rankingsCount: 2 },
        // Stored by the engine before ties were always shared: a head-to-head place 3.
        { model: 'm/beta', place: 3, score: 0.5, averageRank: 1.5, votes: 2, rankingsCount: 2 },
      ],
      verdict: {
        verdict: {
          kind: 'close',
          models: ['m/alpha', 'm/gamma', 'm/beta'],
          firstPlaces: { 'm/alpha': 1, 'm/gamma': 1, 'm/beta': 1 },
          peers: 3,
          sentence: 'm/alpha, m/gamma and m/beta share first place.',
        },
      },
    }),
  );
  expect(md).toContain('**Close.** m/alpha, m/gamma and m/beta share first place.');
  expect(md).toContain('| 1 (tie) | m/alpha | 1.50 | 2 |');
  expect(md).toContain('| 1 (tie) | m/gamma | 1.50 | 2 |');
  expect(md).toContain('| 1 (tie) | m/beta | 1.50 | 2 |');
  expect(md).toContain('Equal scores share a place; there is no tie-break.');
});

test('a run stored before verdicts were kept gets one derived from its reviews', () => {
  const md = conversationToMarkdown(
    conversationWith({
      aggregate: [
        { model: 'm/alpha', averageRank: 1, rankingsCount: 2 },
        { model: 'm/beta', averageRank: 2, rankingsCount: 2 },
        { model: 'm/gamma', averageRank: 2, rankingsCount: 2 },
      ],
      // An old `{ agreement: { contested } }` record, no verdict in it.
      verdict: { agreement: { kendallW: 0.25, pValue: 0.5, contested: true } },
      responses: [
        review('m/beta', ['Response A', 'Response C', 'Response B']),
        review('m/gamma', ['Response A', 'Response B', 'Response C']),
      ],
    }),
  );
  expect(md).toContain('**Clear winner.** m/alpha ranked first by 2 of 2 peers.');
  expect(md).toContain('| 1 | m/alpha |');
  expect(md).toContain('| 2 (tie) | m/beta |');
  expect(md).toContain('| 2 (tie) | m/gamma |');
});

test('a council of two exports a sentence, not an empty table', () => {
  const two = { 'Response A': 'm/alpha', 'Response B': 'm/beta' };
  const md = conversationToMarkdown(
    conversationWith({
      models: Object.values(two),
      labelToModel: two,
      aggregate: [],
      responses: [review('m/alpha', ['Response B', 'Response A']), review('m/beta', ['Response A', 'Response B'])],
    }),
  );
  expect(md).toContain('**No peer ranking.** With two answers each reviewer judged only the other one');
  expect(md).not.toContain('| place |');
});

test('a stopped run’s partial answers and synthesis are exported as cut short, not as finished', () => {
  const stopped = { code: 'MODEL_STOPPED', message: 'Stopped before it finished' };
  const partial = (stage: 'stage1' | 'stage3', model: string, content: string) => ({
    stage,
    model,
    status: 'failed' as const,
    content,
    parsedRanking: null,
    reviewDetails: null,
    error: stopped,
    usage: null,
    durationMs: null,
    attempt: 1,
  });
  const markdown = conversationToMarkdown(
    conversationWith({
      status: 'cancelled',
      responses: [partial('stage1', 'm/alpha', 'The first half of'), partial('stage3', 'm/chair', 'In short, the')],
    }),
  );
  expect(markdown).toContain('In short, the\n\n_Cut short: Stopped before it finished._');
  expect(markdown).toContain('The first half of\n\n_Cut short: Stopped before it finished._');
});
