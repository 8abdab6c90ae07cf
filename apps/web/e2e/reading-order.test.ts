import { expect, test } from 'vitest';
import {
  ask,
  composer,
  finalAnswers,
  openCouncilPath,
  register,
  saveApiKey,
  waitForRunToFinish,
} from './harness/app-driver';
import { useAppStack } from './harness/app-stack';
import { openAppPage } from './harness/browser';

// Issue 19 §1 and §3: the answer first, copy buttons, a refused start leaves nothing, and a
// stopped run reads the same after a reload as it did live.
const stack = useAppStack();

let userCount = 0;
const newEmail = () => `order-${Date.now().toString(36)}-${++userCount}@example.test`;

test('a conversation opens on the latest question with its final answer in view, the council’s path collapsed below', async () => {
  const { page, context, problems } = await openAppPage(stack.browser, { viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.server.url });
  await register(page, stack.server.url, newEmail());
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'What is the first question?');
  await page.waitForURL(/\/c\//);
  // While the run streams, the council's path is open so the answers are visible as they arrive.
  await expect.poll(() => page.getByRole('tabpanel').first().textContent(), { timeout: 20_000 }).toContain('Simulated');
  await waitForRunToFinish(page);
  await ask(page, 'And what is the second one?');
  await waitForRunToFinish(page);

  await page.reload();
  const latest = page.getByRole('article').last();
  await expect.poll(() => finalAnswers(page).last().textContent(), { timeout: 20_000 }).toContain('chairman synthesis');
  // The reading order: question, final answer, then "How the council got here" (closed).
  const order = await latest.evaluate((turn) =>
    Array.from(turn.querySelectorAll('.user-message-text, .final-answer, details.council-path')).map((el) =>
      el.matches('details')
        ? `path:${(el as HTMLDetailsElement).open ? 'open' : 'closed'}`
        : el.className.split(' ')[0],
    ),
  );
  expect(order).toEqual(['user-message-text', 'final-answer', 'path:closed']);
  // At 1280×800 the latest question and its final answer's heading are on screen.
  const isOnScreen = (element: Element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  };
  expect(await latest.locator('.user-message-text').textContent()).toBe('And what is the second one?');
  await expect.poll(() => latest.locator('.user-message-text').evaluate(isOnScreen)).toBe(true);
  expect(await finalAnswers(page).last().getByRole('heading', { name: 'Final answer' }).evaluate(isOnScreen)).toBe(
    true,
  );
  expect(await finalAnswers(page).last().textContent()).toContain('4 of 4 answered · ranked by 4 reviewers');

  // Copy the final answer: its Markdown source lands on the clipboard.
  await finalAnswers(page).last().getByRole('button', { name: 'Copy the final answer' }).click();
  await expect
    .poll(() => page.evaluate(() => navigator.clipboard.readText()))
    .toMatch(/^\*\*Simulated chairman synthesis/);
  // And any single answer, from its tab.
  await openCouncilPath(page);
  await latest.getByRole('button', { name: 'Copy gpt-5.1’s answer' }).click();
  await expect
    .poll(() => page.evaluate(() => navigator.clipboard.readText()))
    .toMatch(/^\*\*Simulated answer from openai\/gpt-5\.1\.\*\*/);
  expect(problems).toEqual([]);
  await context.close();
});

test('a refused first question (no API key) leaves no conversation behind, even after a reload', async () => {
  const { page, context } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());
  await ask(page, 'Will this be refused?');
  await page
    .getByRole('alert')
    .filter({ hasText: /API key/ })
    .waitFor();
  expect(await composer(page).inputValue()).toBe('Will this be refused?');
  await page.reload();
  await page.getByRole('heading', { name: 'What should the council consider?' }).waitFor();
  await page.getByText('No conversations yet', { exact: false }).waitFor();
  await context.close();
});

test('a run stopped before its first words reads the same after a reload: stopped chips, nothing waiting or animating', async () => {
  const { page, context } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Stop me at once');
  await page.waitForURL(/\/c\//);
  await page.getByRole('button', { name: 'Stop the council' }).click();
  await waitForRunToFinish(page);

  const chips = page.getByRole('list', { name: 'Council members' }).getByRole('listitem');
  const chipWords = () => chips.allTextContents();
  const describe = async () => ({
    chips: (await chipWords()).filter((text) => /stopped|failed/.test(text)).length,
    waiting: await page.getByText('Waiting for the first words…').count(),
    animated: await page.locator('.typing-dots, .spinner').count(),
  });
  const live = await describe();
  expect(live.chips).toBeGreaterThan(0);
  expect(live.waiting).toBe(0);
  expect(live.animated).toBe(0);

  await page.reload();
  await chips.first().waitFor();
  expect(await describe()).toEqual(live);
  expect(await page.getByText('You stopped this run.').count()).toBe(1);
  await context.close();
});
