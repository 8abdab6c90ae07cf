import { beforeAll, expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { COUNCIL, councilReply, requestsOf } from './helpers/council-harness.js';
import { buildCli, ownerWithToken, runCli } from './helpers/run-cli.js';

// The `llm-council` command as a product: continuing a conversation, the verdict and ranking
// table, whoami/logout, an unreachable server, and export by id prefix.

const test = councilTest();
beforeAll(buildCli, 120_000);

test('ask prints the verdict and the ranking table; --conversation continues that conversation', async ({ bed }) => {
  for (const model of COUNCIL)
    bed.upstream.setBehavior(model, { reply: councilReply({ ranking: (l) => [...l].reverse() }) });
  const { owner, env } = await ownerWithToken(bed, ['read', 'council']);
  const first = await runCli(['ask', 'Which knot holds best?'], env);
  expect({ code: first.code, stderr: first.stderr }).toMatchObject({ code: 0 });
  expect(first.stderr).toMatch(/^Verdict: /m);
  expect(first.stderr).toMatch(/^# +model +avg rank +votes$/m);
  for (const model of COUNCIL)
    // Shared places are marked "1=" (reading in reversed order, the peers may tie).
    expect(first.stderr).toMatch(new RegExp(`^\\d+=? +${model.replace('/', '\\/')} +\\d\\.\\d\\d +\\d+$`, 'm'));
  // stdout stays just the answer, so `> answer.md` keeps only that.
  expect(first.stdout).toBe("The council's final answer, weighing every response and review.\n");
  const conversationId = /Conversation ([0-9a-f-]{36})/.exec(first.stderr)?.[1];

  const second = await runCli(['ask', '--conversation', conversationId!, 'And for climbing?'], env);
  expect({ code: second.code, stderr: second.stderr }).toMatchObject({ code: 0 });
  expect(second.stderr).toContain(`Conversation ${conversationId}`);
  const conversation = await owner.client.conversations.get.query({ id: conversationId! });
  expect(conversation.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
    'Which knot holds best?',
    'And for climbing?',
  ]);
  expect(JSON.stringify(requestsOf(bed.upstream, 'stage1', COUNCIL[0]).at(-1)?.messages)).toContain(
    'Which knot holds best?',
  );

  // Someone else's conversation (or a made-up id) is refused with the server's reason, nothing asked.
  const other = await ownerWithToken(bed, ['read', 'council']);
  const refused = await runCli(['ask', '--conversation', conversationId!, 'Mine now?'], other.env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/not found/i);
  expect((await owner.client.conversations.get.query({ id: conversationId! })).messages).toHaveLength(4);
});
