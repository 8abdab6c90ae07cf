import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { createAnsweredConversation } from '../testing/council-records.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';
import type { ExportDocument } from './export-format.js';

// Issue 17, section 2, "bad files never 500" (security case 78). On main before this change 12 of
// these files were a 500 (INTERNAL_SERVER_ERROR): NUL in titles, model ids and label keys reached
// PostgreSQL, integers past int4 and years it cannot store failed in the INSERT, nesting 5,000 deep
// overflowed JSON.stringify, and a malformed `aggregate` was stored and then broke the Markdown export.

type Json = Record<string, unknown>;
type Doc = ExportDocument & Json;

const original = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/original-conversation.json'), 'utf8'),
) as Json & { messages: Json[] };

const turn = {
  question: 'Which bridge?',
  answers: { 'test/alpha': 'Arch.', 'test/beta': 'Beam.' },
  final: 'An arch.',
  usagePerCall: { promptTokens: 10, completionTokens: 5, cost: 0.001 },
};

/** A valid export of one answered conversation (stage 1, reviews, aggregate, verdict, usage). */
async function validExport(api: TestApi): Promise<Doc> {
  const { user, caller } = await api.signUp();
  const { conversationId } = await createAnsweredConversation(api.db, user.id, { title: 'Bridges', turns: [turn] });
  await api.db
    .updateTable('councilRuns')
    .set({ verdict: JSON.stringify({ agreement: { kendallW: 1, pValue: 0.1, contested: false } }) })
    .where('conversationId', '=', conversationId)
    .execute();
  return JSON.parse((await caller.conversations.export({ id: conversationId, format: 'json' })).content) as Doc;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Each malformed file: how it is made from a valid one, and what the refusal must say. */
const malformed: { name: string; make: (doc: Doc) => unknown; says: RegExp }[] = [
  {
    name: 'NUL in a conversation title',
    make: (d) => ((d.conversations[0]!.title = 'Bri\u0000dges'), d),
    says: /conversations\.0\.title: Title cannot contain NUL/,
  },
  {
    name: 'NUL in a council model id',
    make: (d) => ((d.conversations[0]!.runs[0]!.models[0] = 'test/al\u0000pha'), d),
    says: /runs\.0\.models\.0: Model id cannot contain NUL/,
  },
  {
    name: 'NUL in a label-map key',
    make: (d) => ((d.conversations[0]!.runs[0]!.labelToModel = { 'Response\u0000A': 'test/alpha' }), d),
    says: /labelToModel\.Response\\u0000A: Label cannot contain NUL/,
  },
  {
    name: 'NUL in review details',
    make: (d) => {
      const review = d.conversations[0]!.runs[0]!.responses.find((r) => r.stage === 'stage2')!;
      review.reviewDetails = { shownOrder: ['Response\u0000B'] };
      return d;
    },
    says: /reviewDetails\.shownOrder\.0: Label cannot contain NUL/,
  },
  {
    name: 'an attempt past int4',
    make: (d) => ((d.conversations[0]!.runs[0]!.attempt = 2 ** 31), d),
    says: /runs\.0\.attempt: Attempt must be at most/,
  },
  {
    name: 'a duration past int4',
    make: (d) => ((d.conversations[0]!.runs[0]!.responses[0]!.durationMs = 2 ** 31), d),
    says: /durationMs: Duration must be at most 2147483647/,
  },
  {
    name: 'token counts past any bigint sum',
    make: (d) => {
      d.conversations[0]!.runs[0]!.responses[0]!.usage = {
        promptTokens: 1e20,
        completionTokens: 1,
        totalTokens: 1e20,
        cost: 0,
      };
      return d;
    },
    says: /usage\.promptTokens: Prompt tokens must be at most/,
  },
  {
    name: 'the year 0',
    make: (d) => ((d.conversations[0]!.createdAt = '0000-01-01T00:00:00Z'), d),
    says: /conversations\.0\.createdAt: Date must be a date from the year 1 to 9999/,
  },
  {
    name: 'a zone that moves the date before the year 1',
    make: (d) => ((d.conversations[0]!.runs[0]!.startedAt = '0001-01-01T00:00:00+01:00'), d),
    says: /runs\.0\.startedAt: Date must be a date from the year 1/,
  },
  {
    name: 'a day February does not have',
    make: (d) => ((d.conversations[0]!.messages[0]!.createdAt = '2026-02-30T00:00:00Z'), d),
    says: /messages\.0\.createdAt: Date must be an ISO 8601 date-time/,
  },
  {
    name: 'a verdict nested 5,000 deep',
    make: (d) => ((d.conversations[0]!.runs[0]!.verdict = { agreement: nested(5_000) } as never), d),
    says: /nested more than 16 levels deep at conversations\.0\.runs\.0\.verdict/,
  },
  {
    name: 'an aggregate nested 5,000 deep',
    make: (d) => ((d.conversations[0]!.runs[0]!.aggregate = nested(5_000) as never), d),
    says: /nested more than 16 levels deep at conversations\.0\.runs\.0\.aggregate/,
  },
  {
    name: 'review details nested 5,000 deep',
    make: (d) => ((d.conversations[0]!.runs[0]!.responses[0]!.reviewDetails = { x: nested(5_000) } as never), d),
    says: /nested more than 16 levels deep at conversations\.0\.runs\.0\.responses\.0\.reviewDetails/,
  },
  {
    name: 'an aggregate whose rows are not rows',
    make: (d) => ((d.conversations[0]!.runs[0]!.aggregate = [{ model: 5, averageRank: 'first' }, 'x'] as never), d),
    says: /aggregate\.0\.model/,
  },
  {
    name: 'a verdict of another shape',
    make: (d) => ((d.conversations[0]!.runs[0]!.verdict = { agreement: 'yes', pairwiseWins: [1, 2] } as never), d),
    says: /verdict\.agreement/,
  },
  {
    name: 'a label map of 10,000 labels',
    make: (d) => {
      const labels = Array.from({ length: 10_000 }, (_, i) => [`L${i}`, 'test/alpha']);
      d.conversations[0]!.runs[0]!.labelToModel = Object.fromEntries(labels) as Record<string, string>;
      return d;
    },
    says: /labelToModel: The label map has at most 16 entries/,
  },
  {
    name: 'one message id used twice',
    make: (d) => {
      const [question] = d.conversations[0]!.messages;
      d.conversations[0]!.messages.push({ ...question!, role: 'user' });
      return d;
    },
    says: /conversations\.0\.messages\.2\.id is used twice/,
  },
  {
    name: 'an original file with NUL in a model id',
    make: () => {
      const file = structuredClone(original);
      (file.messages[1]!['stage1'] as Json[])[0]!['model'] = 'openai/gpt\u00005';
      return file;
    },
    says: /messages\.1\.stage1\.0\.model: Model id cannot contain NUL/,
  },
  {
    name: 'an original file with NUL in its title',
    make: () => ({ ...structuredClone(original), title: 'Tea\u0000' }),
    says: /title: Title cannot contain NUL/,
  },
  {
    name: 'an original file from the year 0',
    make: () => ({ ...structuredClone(original), created_at: '0000-06-01T12:00:00' }),
    says: /created_at: must be a date from the year 1 to 9999/,
  },
];

test(`case 78: ${malformed.length} kinds of malformed file are each a 400 naming the problem, and store nothing`, async ({
  api,
}) => {
  const valid = await validExport(api);
  const { user, caller } = await api.signUp();
  // The valid file imports: every refusal below is the change made to it.
  const { conversationIds } = await caller.conversations.import({ data: valid });
  await caller.conversations.delete({ id: conversationIds[0] ?? '' });

  const outcomes = [];
  for (const { name, make, says } of malformed) {
    const failure = await failureOf(caller.conversations.import({ data: make(structuredClone(valid)) }));
    outcomes.push({ name, code: failure.code, matches: says.test(failure.message) ? 'yes' : failure.message });
  }
  expect(outcomes).toEqual(malformed.map(({ name }) => ({ name, code: 'BAD_REQUEST', matches: 'yes' })));
  const stored = await api.db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userId', '=', user.id)
    .executeTakeFirstOrThrow();
  expect(Number(stored.n)).toBe(0);
});

test('case 78: a stored aggregate or verdict of another shape breaks neither the Markdown export, the run view nor a re-import', async ({
  api,
}) => {
  const { user, caller } = await api.signUp();
  const { conversationId } = await createAnsweredConversation(api.db, user.id, { title: 'Old row', turns: [turn] });
  // A row written before the import checked shapes (main before this change stored these as given).
  await sql`update council_runs set aggregate = '[{"model": 5, "averageRank": "first"}, "x"]'::jsonb,
    verdict = '{"agreement": "yes", "allVotes": 3}'::jsonb, label_to_model = '{"Response A": 7}'::jsonb
    where conversation_id = ${conversationId}`.execute(api.db);

  const markdown = await caller.conversations.export({ id: conversationId, format: 'markdown' });
  expect(markdown.content).toContain('An arch.');
  expect(markdown.content).not.toContain('Street cred');
  const [run] = (await caller.conversations.get({ id: conversationId })).runs;
  expect(run).toMatchObject({ aggregate: null, agreement: null, allVotes: null, labelToModel: null });
  expect(run?.stage1.map((a) => a.content)).toEqual(['Arch.', 'Beam.']);

  const json = JSON.parse((await caller.conversations.export({ id: conversationId, format: 'json' })).content) as Doc;
  expect(json.conversations[0]?.runs[0]).toMatchObject({ aggregate: null, verdict: null, labelToModel: null });
  expect((await caller.conversations.import({ data: json })).conversationIds).toHaveLength(1);
});
