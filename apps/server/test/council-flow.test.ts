import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import {
  CHAIRMAN,
  COUNCIL,
  TITLE_MODEL,
  councilReply,
  expectedPeerScores,
  followToEnd,
  questionOf,
  requestsOf,
  signUpWithKey,
  waitForRunStatus,
  type CouncilTestbed,
  type ReceivedEvent,
} from './helpers/council-harness.js';

// The council's happy path over HTTP and the SDK: order and content of the event stream, live
// deltas, what a reload shows, multi-turn history and idempotent starts.

const [ALPHA, BETA, GAMMA] = COUNCIL;

const test = councilTest();

/** Each reviewer ranks differently, one in a messy format, so the aggregate is not trivial. */
function scriptReviewers(bed: CouncilTestbed): Record<string, string[]> {
  const rankings: Record<string, string[]> = {
    [ALPHA]: ['Response C', 'Response A', 'Response B'],
    [BETA]: ['Response C', 'Response B', 'Response A'],
    [GAMMA]: ['Response A', 'Response C', 'Response B'],
  };
  bed.upstream.setBehavior(ALPHA, { tokenDelayMs: 1, reply: councilReply({ ranking: () => rankings[ALPHA]! }) });
  bed.upstream.setBehavior(BETA, { tokenDelayMs: 1, reply: councilReply({ ranking: () => rankings[BETA]! }) });
  const messyGamma = councilReply();
  bed.upstream.setBehavior(GAMMA, {
    tokenDelayMs: 1,
    reply: (messages) =>
      /FINAL RANKING/.test(messages.map((m) => m.content).join('\n'))
        ? 'Response A is the most complete; Response B is thin.\n\n**Final Ranking:**\n1) **Response A**\n2) Response C — close\n3) Response B\n\n(Response B would rise with sources.)'
        : messyGamma(messages),
  });
  return rankings;
}

const expectedAnswer = (question: string) => `An answer about ${question.slice(0, 40)} in a few plain words.`;

function textOf(events: ReceivedEvent[], stage: 'stage1' | 'stage3', model: string): string {
  return events
    .flatMap(({ event }) =>
      event.type === 'model_delta' && event.stage === stage && event.model === model ? [event.text] : [],
    )
    .join('');
}

/** The events without deltas and the title, as `type:stage:model` strings. */
function skeletonOf(events: ReceivedEvent[]): string[] {
  return events.flatMap(({ event }) => {
    switch (event.type) {
      case 'model_delta':
      case 'model_reasoning':
      case 'title_completed':
        return [];
      case 'stage_started':
      case 'stage_completed':
        return [`${event.type}:${event.stage}`];
      case 'model_completed':
      case 'model_failed':
      case 'model_late':
        return [`${event.type}:${event.stage}:${event.model}`];
      case 'review_completed':
        return [`review_completed:${event.reviewer}`];
      case 'run_started':
      case 'labels_assigned':
      case 'aggregate_ranked':
      case 'run_completed':
      case 'run_failed':
      case 'run_cancelled':
      case 'run_interrupted':
        return [event.type];
    }
  });
}

test('client.ask streams a whole run in order: answers with deltas, labels, ranked reviews, aggregate, chairman, title, completion', async ({
  bed,
}) => {
  const rankings = scriptReviewers(bed);
  const { client, conversationId } = await signUpWithKey(bed.server);
  const question = 'Why is the sky blue?';

  const events: ReceivedEvent[] = [];
  for await (const envelope of client.ask(conversationId, question))
    events.push({ ...envelope, receivedAt: Date.now() });

  // Numbered 1, 2, 3, … without gaps, all for one run.
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(new Set(events.map((e) => e.runId)).size).toBe(1);

  const skeleton = skeletonOf(events);
  const sorted = (items: string[]) => [...items].sort();
  expect(skeleton.slice(0, 2)).toEqual(['run_started', 'stage_started:stage1']);
  expect(sorted(skeleton.slice(2, 5))).toEqual(COUNCIL.map((m) => `model_completed:stage1:${m}`));
  expect(skeleton.slice(5, 8)).toEqual(['stage_completed:stage1', 'labels_assigned', 'stage_started:stage2']);
  expect(sorted(skeleton.slice(8, 11))).toEqual(COUNCIL.map((m) => `review_completed:${m}`));
  expect(skeleton.slice(11)).toEqual([
    'aggregate_ranked',
    'stage_completed:stage2',
    'stage_started:stage3',
    `model_completed:stage3:${CHAIRMAN}`,
    'stage_completed:stage3',
    'run_completed',
  ]);

  const [started] = events;
  expect(started?.event).toEqual({
    type: 'run_started',
    models: [...COUNCIL],
    chairmanModel: CHAIRMAN,
    mode: 'full',
    attempt: 1,
  });

  // Stage 1: every model streamed deltas before its answer, and the deltas add up to the answer.
  for (const model of COUNCIL) {
    const completedAt = events.findIndex((e) => e.event.type === 'model_completed' && e.event.model === model);
    const firstDelta = events.findIndex((e) => e.event.type === 'model_delta' && e.event.model === model);
    expect(firstDelta).toBeGreaterThan(0);
    expect(firstDelta).toBeLessThan(completedAt);
    const completed = events[completedAt]?.event;
    expect(completed).toMatchObject({ content: expectedAnswer(question), stage: 'stage1' });
    expect(textOf(events, 'stage1', model)).toBe(expectedAnswer(question));
    expect(completed?.type === 'model_completed' && completed.usage?.completionTokens).toBeGreaterThan(0);
  }

  // Stage 2: labels are drawn at random; each review's ranking is parsed, messy format included.
  const labels = events.find((e) => e.event.type === 'labels_assigned')?.event;
  const labelToModel = labels?.type === 'labels_assigned' ? labels.labelToModel : {};
  expect(Object.values(labelToModel).sort()).toEqual([...COUNCIL].sort());
  const reviews = events.flatMap(({ event }) => (event.type === 'review_completed' ? [event] : []));
  const rankingOf = (reviewer: string) => reviews.find((r) => r.reviewer === reviewer)?.parsedRanking;
  expect(rankingOf(ALPHA)).toEqual(rankings[ALPHA]);
  expect(rankingOf(BETA)).toEqual(rankings[BETA]);
  expect(rankingOf(GAMMA)).toEqual(['Response A', 'Response C', 'Response B']);
  expect(reviews.every((r) => /final ranking/i.test(r.content))).toBe(true);

  expect(reviews.every((r) => r.rankingStatus === 'ok' && !r.repaired)).toBe(true);

  // The peer-only table: every model scored by the two other reviewers, best first.
  const aggregate = events.find((e) => e.event.type === 'aggregate_ranked')?.event;
  const rows = aggregate?.type === 'aggregate_ranked' ? aggregate.aggregate : [];
  const expected = expectedPeerScores(reviews, labelToModel);
  expect(rows.map((r) => r.model).sort()).toEqual([...COUNCIL].sort());
  for (const row of rows) {
    expect(row.votes).toBe(2);
    expect(row.score).toBeCloseTo(expected.get(row.model)?.score ?? -1, 9);
  }
  const scores = rows.map((r) => r.score ?? 0);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));

  // Stage 3: the chairman streams, then completes with the same text.
  const chairman = events.find((e) => e.event.type === 'model_completed' && e.event.stage === 'stage3')?.event;
  expect(chairman).toMatchObject({
    model: CHAIRMAN,
    content: "The council's final answer, weighing every response and review.",
  });
  expect(textOf(events, 'stage3', CHAIRMAN)).toBe(chairman?.type === 'model_completed' ? chairman.content : null);
  const firstChairDelta = events.findIndex((e) => e.event.type === 'model_delta' && e.event.stage === 'stage3');
  expect(firstChairDelta).toBeGreaterThan(skeleton.indexOf('stage_started:stage3'));

  // The title lands before the run is declared complete; nothing failed.
  const titleAt = events.findIndex((e) => e.event.type === 'title_completed');
  expect(events[titleAt]?.event).toMatchObject({ type: 'title_completed', title: 'Scripted Test Title' });
  // The title call's usage is recorded like every call's: daily budgets count it.
  const titleEvent = events[titleAt]?.event;
  expect(titleEvent?.type === 'title_completed' && titleEvent.usage?.totalTokens).toBeGreaterThan(0);
  expect(titleAt).toBeLessThan(events.length - 1);
  expect(events.some((e) => e.event.type === 'model_failed')).toBe(false);

  // The chairman was told which model each label is.
  const [chairRequest] = requestsOf(bed.upstream, 'stage3', CHAIRMAN);
  const chairPrompt = chairRequest?.messages.map((m) => m.content).join('\n') ?? '';
  for (const [label, model] of Object.entries(labelToModel)) expect(chairPrompt).toContain(`${label} = ${model}`);
});

test('deltas of a slow council model and of the chairman arrive while they are still answering', async ({ bed }) => {
  // 50 tokens, 30 ms apart: 1.5 s of streaming, long enough that a loaded machine still shows it.
  const longAnswer = Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ');
  bed.upstream.setBehavior(GAMMA, { tokenDelayMs: 30, reply: councilReply({ answer: () => longAnswer }) });
  bed.upstream.setBehavior(CHAIRMAN, { tokenDelayMs: 30, reply: () => longAnswer });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'Slow and steady?' });
  const events = await followToEnd(client, runId);

  for (const [stage, model] of [
    ['stage1', GAMMA],
    ['stage3', CHAIRMAN],
  ] as const) {
    const deltas = events.filter(
      (e) => e.event.type === 'model_delta' && e.event.stage === stage && e.event.model === model,
    );
    const completed = events.find(
      (e) => e.event.type === 'model_completed' && e.event.stage === stage && e.event.model === model,
    );
    expect(completed).toBeDefined();
    // ~1.5 s of streaming coalesced at 100 ms: several deltas, the first long before the end.
    expect(deltas.length).toBeGreaterThanOrEqual(4);
    expect(completed!.receivedAt - deltas[0]!.receivedAt).toBeGreaterThanOrEqual(300);
    expect(textOf(events, stage, model)).toBe(longAnswer);
  }
  // The fast models' answers are not held back by the slow one.
  const gammaDone = events.find((e) => e.event.type === 'model_completed' && e.event.model === GAMMA)!;
  for (const model of [ALPHA, BETA]) {
    const done = events.find((e) => e.event.type === 'model_completed' && e.event.model === model)!;
    expect(done.seq).toBeLessThan(gammaDone.seq);
    expect(gammaDone.receivedAt - done.receivedAt).toBeGreaterThanOrEqual(300);
  }
});

test('conversations.get reloads a finished run with model names, answers, reviews, aggregate, final answer and title', async ({
  bed,
}) => {
  scriptReviewers(bed);
  const { client, conversationId } = await signUpWithKey(bed.server);
  const question = 'How do tides work?';
  const { runId, messageId } = await client.council.start.mutate({ conversationId, content: question });
  const events = await followToEnd(client, runId);
  const eventOf = <T extends ReceivedEvent['event']['type']>(type: T) =>
    events.map((e) => e.event).filter((e): e is Extract<ReceivedEvent['event'], { type: T }> => e.type === type);

  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.title).toBe('Scripted Test Title');
  const finalAnswer = eventOf('model_completed').find((e) => e.stage === 'stage3')?.content;
  expect(conversation.messages.map((m) => [m.role, m.content])).toEqual([
    ['user', question],
    ['assistant', finalAnswer],
  ]);
  expect(conversation.messages[0]?.id).toBe(messageId);

  expect(conversation.runs).toHaveLength(1);
  const [run] = conversation.runs;
  expect(run).toMatchObject({
    id: runId,
    status: 'completed',
    userMessageId: messageId,
    models: [...COUNCIL],
    chairmanModel: CHAIRMAN,
    attempt: 1,
    error: null,
    labelToModel: eventOf('labels_assigned')[0]?.labelToModel,
    aggregate: eventOf('aggregate_ranked')[0]?.aggregate,
    verdict: eventOf('aggregate_ranked')[0]?.verdict,
    agreement: eventOf('aggregate_ranked')[0]?.agreement,
    allVotes: eventOf('aggregate_ranked')[0]?.allVotes,
    pairwiseWins: eventOf('aggregate_ranked')[0]?.pairwiseWins,
    title: 'Scripted Test Title',
  });
  expect(run?.finishedAt).not.toBeNull();
  expect(run?.stage1.map((s) => [s.model, s.status, s.content])).toEqual(
    COUNCIL.map((model) => [model, 'completed', expectedAnswer(question)]),
  );
  expect(run?.stage1.every((s) => (s.usage?.totalTokens ?? 0) > 0)).toBe(true);
  const reviews = eventOf('review_completed');
  expect(run?.stage2.map((r) => [r.reviewer, r.status, r.content, r.parsedRanking, r.shownOrder, r.selfRank])).toEqual(
    COUNCIL.map((model) => {
      const review = reviews.find((r) => r.reviewer === model);
      return [model, 'completed', review?.content, review?.parsedRanking, review?.shownOrder, review?.selfRank];
    }),
  );
  expect(run?.stage3).toMatchObject({ model: CHAIRMAN, status: 'completed', content: finalAnswer });

  // council.get shows the same run.
  expect(await client.council.get.query({ runId })).toEqual(run);
});

test('a follow-up question sends the earlier question and final answer to every council model as history', async ({
  bed,
}) => {
  const { client, conversationId } = await signUpWithKey(bed.server);
  const first = await client.council.start.mutate({ conversationId, content: 'What is a monad?' });
  const firstEvents = await followToEnd(client, first.runId);
  const firstAnswer = firstEvents.flatMap(({ event }) =>
    event.type === 'model_completed' && event.stage === 'stage3' ? [event.content] : [],
  )[0];
  expect(firstAnswer).toBeTruthy();

  const second = await client.council.start.mutate({ conversationId, content: 'And in plain words?' });
  await followToEnd(client, second.runId);

  const followUps = requestsOf(bed.upstream, 'stage1').filter((r) => questionOf(r) === 'And in plain words?');
  expect(followUps.map((r) => r.model).sort()).toEqual([...COUNCIL]);
  for (const request of followUps) {
    expect(request.messages).toEqual([
      { role: 'user', content: 'What is a monad?' },
      { role: 'assistant', content: firstAnswer },
      { role: 'user', content: 'And in plain words?' },
    ]);
  }
  // The reviewers and the chairman see the earlier turn too; the title is asked for only once.
  const laterPrompts = [...requestsOf(bed.upstream, 'stage2'), ...requestsOf(bed.upstream, 'stage3')]
    .filter((r) => questionOf(r) === 'And in plain words?')
    .map((r) => r.messages.map((m) => m.content).join('\n'));
  expect(laterPrompts).toHaveLength(4);
  for (const prompt of laterPrompts) expect(prompt).toContain('What is a monad?');
  expect(requestsOf(bed.upstream, 'title', TITLE_MODEL)).toHaveLength(1);

  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(conversation.runs.map((r) => r.status)).toEqual(['completed', 'completed']);
});

test('starting twice with one clientRequestId returns the same run and stores the question once', async ({ bed }) => {
  const { client, conversationId } = await signUpWithKey(bed.server);
  const input = { conversationId, content: 'Asked once, sent twice', clientRequestId: 'req-7f3a' };
  const [a, b] = await Promise.all([client.council.start.mutate(input), client.council.start.mutate(input)]);
  const c = await client.council.start.mutate(input);
  expect(b).toEqual(a);
  expect(c).toEqual(a);

  await waitForRunStatus(client, a.runId, ['completed']);
  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.messages.filter((m) => m.role === 'user')).toHaveLength(1);
  expect(conversation.runs).toHaveLength(1);
  expect(
    requestsOf(bed.upstream, 'stage1')
      .map((r) => r.model)
      .sort(),
  ).toEqual([...COUNCIL]);

  // The id is the caller's own: another user may use the same one for their own question.
  const other = await signUpWithKey(bed.server);
  const theirs = await other.client.council.start.mutate({ ...input, conversationId: other.conversationId });
  expect(theirs.runId).not.toBe(a.runId);
  await waitForRunStatus(other.client, theirs.runId, ['completed']);
});

test('three questions sent at once in one conversation all run and are stored one after the other', async ({ bed }) => {
  const { client, conversationId } = await signUpWithKey(bed.server);
  const questions = ['First of three?', 'Second of three?', 'Third of three?'];
  // One batched HTTP request: the server handles the three starts concurrently.
  const started = await Promise.all(
    questions.map((content) => client.council.start.mutate({ conversationId, content })),
  );
  const runs = await Promise.all(started.map(({ runId }) => waitForRunStatus(client, runId, ['completed', 'failed'])));
  expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);

  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.messages.map((m) => m.position)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(
    conversation.messages
      .filter((m) => m.role === 'user')
      .map((m) => m.content)
      .sort(),
  ).toEqual([...questions].sort());
  for (const { runId, messageId } of started) {
    const answer = conversation.messages.find((m) => m.role === 'assistant' && m.runId === runId);
    expect(answer?.content).toBe(runs.find((r) => r.id === runId)?.stage3?.content);
    expect(conversation.messages.find((m) => m.id === messageId)?.runId).toBe(runId);
  }
});
