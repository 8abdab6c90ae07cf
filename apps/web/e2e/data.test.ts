import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { useAppStack } from './harness/app-stack';
import { ask, finalAnswers, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { openAppPage, saveScreenshot } from './harness/browser';

// The user's data in the browser: import a file in Settings, search and open the match, export a
// conversation as Markdown, and read a run's tokens on the Usage page.
const stack = useAppStack();

let userCount = 0;
const newEmail = () => `e2e-data-${Date.now().toString(36)}-${++userCount}@example.test`;

/** One conversation file of the original llm-council, written by hand from its format. */
function originalFile(title: string, turns: { question: string; answer: string }[]) {
  return {
    id: randomUUID(),
    created_at: '2025-11-22T14:03:51.204811',
    title,
    messages: turns.flatMap(({ question, answer }) => [
      { role: 'user', content: question },
      {
        role: 'assistant',
        stage1: [
          { model: 'openai/gpt-5.1', response: answer },
          { model: 'x-ai/grok-4', response: `${answer} (in other words)` },
        ],
        stage2: [
          {
            model: 'openai/gpt-5.1',
            ranking: 'FINAL RANKING:\n1. Response B\n2. Response A',
            parsed_ranking: ['Response B', 'Response A'],
          },
          {
            model: 'x-ai/grok-4',
            ranking: 'FINAL RANKING:\n1. Response A\n2. Response B',
            parsed_ranking: ['Response A', 'Response B'],
          },
        ],
        stage3: { model: 'google/gemini-3-pro-preview', response: answer },
      },
    ]),
  };
}

async function importFile(page: Page, name: string, document: unknown): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Import conversations from a file').setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(document)),
  });
}

/** A long answer, so that later turns start well below the first screen. */
const longAnswer = (topic: string) =>
  Array.from({ length: 25 }, (_, i) => `Paragraph ${i + 1} about ${topic}, long enough to take a line.`).join('\n\n');

test('a file imported in Settings shows in the list, downloads with all my data and imports again; a bad file is refused with the server’s reason', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());

  await importFile(page, 'broken.json', { id: 'x', created_at: '2025-11-22T14:03:51', messages: [{ role: 'user' }] });
  const refusal = page.getByRole('alert').filter({ hasText: 'Could not import' });
  await refusal.waitFor();
  expect(await refusal.textContent()).toMatch(
    /^Could not import “broken.json”: Not a valid llm-council conversation file: messages\.0/,
  );

  await importFile(
    page,
    'tea.json',
    originalFile('Tea Brewing Temperatures', [{ question: 'How hot for green tea?', answer: 'About 80 °C.' }]),
  );
  const done = page.getByRole('status').filter({ hasText: 'Imported' });
  await done.waitFor();
  expect(await done.textContent()).toContain('Imported 1 conversation from “tea.json”.');
  await saveScreenshot(page, '10-settings-data');

  // "Download all my data" saves a JSON file that holds it, and which imports again (a second copy).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download all my data' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^llm-council-export-\d{4}-\d{2}-\d{2}\.json$/);
  const everything = JSON.parse(await readFile((await download.path()) ?? '', 'utf8')) as {
    conversations: { title: string; runs: { responses: unknown[] }[] }[];
  };
  expect(everything.conversations.map((c) => [c.title, c.runs[0]?.responses.length])).toEqual([
    ['Tea Brewing Temperatures', 5],
  ]);
  await importFile(page, 'everything.json', everything);
  await page.getByRole('status').filter({ hasText: 'Imported 1 conversation from “everything.json”' }).waitFor();

  // The list refreshed by itself; the conversation opens with its stages.
  const list = page.getByRole('navigation', { name: 'Conversations' });
  await expect.poll(() => list.getByRole('link', { name: 'Tea Brewing Temperatures' }).count()).toBe(2);
  await list.getByRole('link', { name: 'Tea Brewing Temperatures' }).first().click();
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  await expect.poll(() => finalAnswers(page).textContent()).toContain('About 80 °C.');
  expect(problems).toEqual([]);
  await context.close();
});

test('"Download all my data" joins the parts of an account bigger than one export page into one file', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());
  // 45 conversations: three parts of `account.exportAll` (20 per part).
  const at = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
  const conversations = Array.from({ length: 45 }, (_, i) => ({
    id: randomUUID(),
    title: `Note ${i + 1}`,
    councilModels: null,
    chairmanModel: null,
    createdAt: at(i),
    updatedAt: at(i),
    importedAt: null,
    messages: [{ id: randomUUID(), role: 'user', content: `Question ${i + 1}`, createdAt: at(i) }],
    runs: [],
  }));
  const document = { format: 'llm-council-export', version: 1, exportedAt: at(0), conversations };
  await importFile(page, 'notes.json', document);
  await page.getByRole('status').filter({ hasText: 'Imported 45 conversations from “notes.json”' }).waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download all my data' }).click(),
  ]);
  const text = await readFile((await download.path()) ?? '', 'utf8');
  const everything = JSON.parse(text) as { conversations: { title: string; messages: { content: string }[] }[] };
  expect(everything.conversations.map((c) => c.title)).toEqual(conversations.map((c) => c.title));
  expect(everything.conversations.map((c) => c.messages[0]?.content)).toEqual(
    conversations.map((c) => c.messages[0]?.content),
  );
  // The same document the server always wrote: pretty-printed JSON, whole.
  expect(text).toBe(JSON.stringify(everything, null, 2));
  expect(problems).toEqual([]);
  await context.close();
});

test('search finds a question deep in a conversation; Enter opens it there, and a click opens another result', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());
  await importFile(
    page,
    'animals.json',
    originalFile('Animal questions', [
      { question: 'Tell me about otters.', answer: longAnswer('otters') },
      { question: 'Tell me about capybaras.', answer: longAnswer('capybaras') },
      { question: 'What do aardvarks eat?', answer: 'Mostly ants and termites.' },
    ]),
  );
  await page.getByRole('status').filter({ hasText: 'Imported' }).waitFor();
  await importFile(page, 'tea.json', originalFile('Tea', [{ question: 'Is oolong a green tea?', answer: 'No.' }]));
  await page.getByRole('status').filter({ hasText: 'Imported 1 conversation from “tea.json”' }).waitFor();

  const search = page.getByRole('searchbox', { name: 'Search conversations' });
  await page.keyboard.press('/');
  await search.pressSequentially('aardvarks');
  const results = page.getByRole('list', { name: 'Search results' });
  await results.getByRole('link').first().waitFor();
  expect(await results.getByRole('link').count()).toBe(1);
  expect(await results.textContent()).toContain('Animal questions');
  await saveScreenshot(page, '11-search');
  await search.press('Enter');

  await page.waitForURL(/\/c\/[0-9a-f-]{36}#turn-[0-9a-f-]{36}$/);
  const anchor = new URL(page.url()).hash.slice(1);
  const turn = page.locator(`[id="${anchor}"]`);
  expect(await turn.textContent()).toContain('What do aardvarks eat?');
  // Scrolled to the match: the third turn is on screen, the first question is not.
  await expect.poll(() => isOnScreen(page, turn)).toBe(true);
  expect(await isOnScreen(page, page.getByText('Tell me about otters.'))).toBe(false);

  await search.fill('oolong');
  await results.getByRole('link', { name: /Tea/ }).click();
  await page.waitForURL(/\/c\/[0-9a-f-]{36}#turn-/);
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tea');
  expect(problems).toEqual([]);
  await context.close();
});

test('after a run: the Markdown export holds the question and final answer, and Usage shows the run’s tokens', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  const question = 'How many tokens does a council spend on one question?';
  await ask(page, question);
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  const conversationPath = new URL(page.url()).pathname;
  await waitForRunToFinish(page);

  // The run's own total, under the run.
  const runUsage = page.getByText(/^This run: /);
  await runUsage.waitFor({ timeout: 20_000 });
  const runLine = (await runUsage.textContent()) ?? '';
  const tokens = /This run: ([\d,]+) tokens \(([\d,]+) prompt, ([\d,]+) completion\) · \$[\d.]+$/.exec(runLine);
  expect(tokens, runLine).not.toBeNull();
  const [, total = '', prompt = '', completion = ''] = tokens ?? [];
  expect(toNumber(total)).toBe(toNumber(prompt) + toNumber(completion));
  expect(toNumber(total)).toBeGreaterThan(0);

  // The Markdown export: the browser downloads a file with the question and the chairman's answer.
  const lastParagraph = await finalAnswers(page).locator('.markdown p').last().textContent();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Markdown' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.md$/);
  const markdown = await readFile((await download.path()) ?? '', 'utf8');
  expect(markdown).toContain(`## Question\n\n${question}`);
  expect(markdown).toContain('## Final answer (chairman: google/gemini-3-pro-preview)');
  expect(markdown).toContain(lastParagraph);
  expect(markdown).toContain(`_Usage: ${toNumber(total)} tokens`);

  // The Usage page: this month's totals are this run's, today has a bar, the conversation is listed.
  await page.getByRole('link', { name: 'Usage' }).click();
  const totals = page.getByRole('region', { name: 'Totals for the month' });
  await totals.waitFor();
  expect(await totals.textContent()).toContain(total);
  expect(await totals.textContent()).toContain(`${prompt} prompt · ${completion} completion`);
  const bars = page.getByRole('group', { name: /^Tokens per day in / }).getByRole('img');
  expect(await bars.count()).toBe(1);
  expect(await bars.first().getAttribute('aria-label')).toContain(`: ${total} tokens (${prompt} prompt`);
  const models = page.getByRole('table').getByRole('row');
  expect(await models.count()).toBeGreaterThan(2);
  const costliest = page.getByRole('region', { name: 'Most expensive conversations' }).getByRole('link');
  expect(await costliest.count()).toBe(1);
  expect(await costliest.getAttribute('href')).toBe(conversationPath);
  await saveScreenshot(page, '12-usage');
  expect(problems).toEqual([]);
  await context.close();
});

const toNumber = (text: string) => Number(text.replaceAll(',', ''));

/** Whether the element's top is inside the scrolling main column's visible area. */
async function isOnScreen(page: Page, locator: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await locator.first().boundingBox();
  const viewport = page.viewportSize();
  return box !== null && viewport !== null && box.y >= 0 && box.y < viewport.height;
}
