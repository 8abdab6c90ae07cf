import { expect } from 'vitest';
import { CHAIRMAN, COUNCIL, signUpWithKey, visionCatalogue, waitForRunStatus } from './helpers/council-harness.js';
import { councilTest } from './helpers/fixtures.js';
import { imageBytes, pdfBytes } from './helpers/files.js';

// Issue 22, "done when": a question with a PDF, a code file and an image, asked through a saved
// council of one vision model (a reasoning model) and one text-only model, with instructions and
// web search on, over HTTP with the SDK. The upstream log shows the image only to the vision model,
// the PDF text to both, the instructions as the system message and the web search tool; the run
// record shows sources under the answers, the thinking and its reasoning tokens.

const [VISION, TEXT_ONLY] = COUNCIL;
const test = councilTest({ upstream: { models: visionCatalogue } });

const INSTRUCTIONS = 'Answer as a careful paralegal; be brief.';
const THOUGHT = 'The lease is the PDF; the screenshot is the image; clause seven decides it.';

test('a PDF, a code file and an image asked to a saved council with instructions, web search and a reasoning model', async ({
  bed,
}) => {
  bed.upstream.setBehavior(VISION ?? '', { reasoning: THOUGHT });
  const user = await signUpWithKey(bed.server);
  const council = await user.client.councils.create.mutate({
    name: 'Lease review',
    models: [VISION ?? '', TEXT_ONLY ?? ''],
    chairmanModel: CHAIRMAN,
    mode: 'full',
    instructions: INSTRUCTIONS,
    reasoningEffort: 'low',
    webSearch: true,
  });
  const files = await Promise.all([
    user.client.uploadAttachment(new Blob([pdfBytes({ pages: [['Clause 7: the tenant pays.']] })]), 'lease.pdf'),
    user.client.uploadAttachment(new Blob([Buffer.from('const rent = 1200;\n')]), 'rent.ts'),
    user.client.uploadAttachment(new Blob([imageBytes('png', 300)]), 'error.png'),
  ]);
  expect(files.map((f) => f.kind)).toEqual(['pdf', 'text', 'image']);
  const { runId } = await user.client.council.start.mutate({
    conversationId: user.conversationId,
    content: 'Who pays the rent, and what does the screenshot show?',
    councilId: council.id,
    attachmentIds: files.map((f) => f.id),
  });
  await waitForRunStatus(user.client, runId, ['completed']);

  const answers = bed.upstream.requests.filter((r) => r.messages.at(-1)?.content.startsWith('Who pays the rent'));
  expect(answers.map((r) => r.model).sort()).toEqual([VISION, TEXT_ONLY].sort());
  for (const request of answers) {
    expect(request.messages[0]).toEqual({ role: 'system', content: INSTRUCTIONS });
    expect(request.messages.at(-1)?.content).toContain('Clause 7: the tenant pays.');
    expect(request.messages.at(-1)?.content).toContain('const rent = 1200;');
    expect(request.tools?.map((t) => t.type)).toEqual(['openrouter:web_search']);
    expect(request.reasoning).toEqual({ effort: 'low' });
  }
  const imagesTo = bed.upstream.requests.filter((r) => r.contentParts.some((p) => p.type === 'image_url'));
  expect(imagesTo.map((r) => r.model)).toEqual([VISION]);

  const run = await user.client.council.get.query({ runId });
  expect(run).toMatchObject({ status: 'completed', instructions: INSTRUCTIONS, webSearch: true });
  for (const answer of run.stage1) expect(answer.sources.length).toBeGreaterThan(0);
  const thinker = run.stage1.find((a) => a.model === VISION);
  expect(thinker?.reasoning).toBe(THOUGHT);
  expect(thinker?.usage?.reasoningTokens).toBe(THOUGHT.split(' ').length);
  expect(thinker?.content).not.toContain('clause seven decides it');
  expect(run.stage1.find((a) => a.model === TEXT_ONLY)?.reasoning).toBeNull();
  expect(run.stage3?.status).toBe('completed');
  // The chairman is given the sources and told to cite them.
  const synthesis = bed.upstream.requests.filter((r) => r.model === CHAIRMAN);
  expect(synthesis).toHaveLength(1);
  const cited = run.stage1[0]?.sources[0]?.url ?? 'no source';
  expect(synthesis[0]?.messages.map((m) => m.content).join('\n')).toContain(cited);
});
