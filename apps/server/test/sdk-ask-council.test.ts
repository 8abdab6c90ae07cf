import { CouncilRunError, type AskCouncilOptions, type RunEvent } from '@llm-council/sdk';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { CHAIRMAN, COUNCIL, councilReply, requestsOf, signUpWithKey } from './helpers/council-harness.js';

// `client.askCouncil` against a real server and the fake upstream: the one-call answer, a
// continued conversation, and a failed run, all read through the SDK's shared run reducer.

const test = councilTest();
const FINAL = "The council's final answer, weighing every response and review.";

test('askCouncil resolves with the answer, the verdict, the ranking and the run’s usage; onEvent sees every event', async ({
  bed,
}) => {
  // Every reviewer ranks the answers in reverse order of presentation: a real, readable ranking.
  for (const model of COUNCIL)
    bed.upstream.setBehavior(model, { reply: councilReply({ ranking: (l) => [...l].reverse() }) });
  const { client } = await signUpWithKey(bed.server);
  const events: RunEvent[] = [];
  const result = await client.askCouncil('Why do cats purr?', { onEvent: (event) => events.push(event) });

  expect(result).toMatchObject({ answer: FINAL, answerModel: CHAIRMAN, mode: 'full' });
  expect(result.ranking.map((row) => row.model).sort()).toEqual([...COUNCIL].sort());
  expect(result.ranking.every((row) => row.rankingsCount > 0)).toBe(true);
  expect(result.usage?.totalTokens).toBeGreaterThan(0);
  expect(events[0]?.type).toBe('run_started');
  expect(events.at(-1)?.type).toBe('run_completed');
  expect(events.filter((e) => e.type === 'model_delta' && e.stage === 'stage3').length).toBeGreaterThan(1);

  // The same run as the server stored it, in a conversation of its own.
  const conversation = await client.conversations.get.query({ id: result.conversationId });
  expect(conversation.runs.map((run) => run.id)).toEqual([result.runId]);
  const [stored] = conversation.runs;
  expect(stored?.stage3?.content).toBe(result.answer);
  expect(result.verdict?.kind).toMatch(/^(clear_winner|close|split)$/);
  expect(result.verdict).toEqual(stored?.verdict);
  expect(result.agreement).toEqual(stored?.agreement);
  expect(result.ranking).toEqual(stored?.aggregate);
  expect(result.usage).toEqual(stored?.usage);
});

test('askCouncil asks a saved council (councilId) and a mode: a ranked run resolves with the top-ranked answer and who wrote it, an answers run with the first answer', async ({
  bed,
}) => {
  for (const model of COUNCIL) {
    bed.upstream.setBehavior(model, { reply: councilReply({ answer: () => `${model} thinks so.` }) });
  }
  const { client } = await signUpWithKey(bed.server);
  const council = await client.councils.create.mutate({
    name: 'Feline experts',
    models: [...COUNCIL],
    chairmanModel: CHAIRMAN,
    mode: 'ranked',
  });
  const options: AskCouncilOptions = { councilId: council.id };
  const ranked = await client.askCouncil('Do cats dream?', options);
  const top = ranked.ranking[0]!.model;
  expect(ranked).toMatchObject({ mode: 'ranked', answer: `${top} thinks so.`, answerModel: top });
  expect(requestsOf(bed.upstream, 'stage3')).toHaveLength(0);

  const answers = await client.askCouncil('Do dogs?', { councilId: council.id, mode: 'answers' });
  expect(answers).toMatchObject({ mode: 'answers', answer: `${COUNCIL[0]} thinks so.`, answerModel: COUNCIL[0] });
  expect(answers.ranking).toEqual([]);
  const stored = await client.council.get.query({ runId: answers.runId });
  expect(stored.mode).toBe('answers');
  expect(requestsOf(bed.upstream, 'stage2')).toHaveLength(COUNCIL.length); // the ranked run's only
});

test('askCouncil with conversationId continues that conversation: the models see the earlier turn', async ({ bed }) => {
  const { client } = await signUpWithKey(bed.server);
  const first = await client.askCouncil('Name a prime larger than ten.', { title: 'Primes' });
  const second = await client.askCouncil('And one larger than that?', { conversationId: first.conversationId });

  expect(second.conversationId).toBe(first.conversationId);
  expect(second.runId).not.toBe(first.runId);
  const conversation = await client.conversations.get.query({ id: first.conversationId });
  expect(conversation.title).toBe('Primes');
  expect(conversation.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
    'Name a prime larger than ten.',
    'And one larger than that?',
  ]);
  // The follow-up's stage-1 prompts carry the first question as history.
  const followUp = requestsOf(bed.upstream, 'stage1', COUNCIL[0]).at(-1);
  expect(JSON.stringify(followUp?.messages)).toContain('Name a prime larger than ten.');
});

test('askCouncil rejects with CouncilRunError carrying the failure when the chairman fails', async ({ bed }) => {
  // The chairman fails, and so does the member that would stand in for it.
  bed.upstream.setBehavior(CHAIRMAN, { status: 400, failTimes: 100 });
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { synthesisStatus: 400 });
  const { client } = await signUpWithKey(bed.server);
  const failure = await client.askCouncil('Will this work?').catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(CouncilRunError);
  const { state } = failure as CouncilRunError;
  expect(state?.status).toBe('failed');
  expect(state?.error?.stage).toBe('stage3');
  expect((failure as Error).message).toMatch(/^The council run failed: /);
  // What finished is kept: every council member's answer.
  expect(COUNCIL.every((model) => state?.stage1[model]?.status === 'done')).toBe(true);
});
