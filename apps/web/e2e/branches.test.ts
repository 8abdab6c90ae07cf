import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { ask, finalAnswers, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { useAppStack } from './harness/app-stack';
import { openAppPage } from './harness/browser';

// Issue 19 §3: edit a question → a new branch; "‹ 2 / 2 ›" switches back (and the server
// remembers which branch is shown); copy the branch's final answer.
const stack = useAppStack();

/** A question as shown (the demo's answers quote the question, so plain text search finds those too). */
const question = (page: Page, text: string) => page.locator('.user-message-text', { hasText: text });

test('edit a question, then switch back to the first version and forward again; copy the final answer', async () => {
  const { page, context, problems } = await openAppPage(stack.browser, { viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.server.url });
  await register(page, stack.server.url, `branches-${Date.now().toString(36)}@example.test`);
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Which planet is largest?');
  await page.waitForURL(/\/c\//);
  await waitForRunToFinish(page);
  await ask(page, 'And the smallest?');
  await waitForRunToFinish(page);

  // Edit the second question in place and send it: a new branch, shown at once.
  const second = page.getByRole('article').last();
  await second.getByRole('button', { name: 'Edit this question' }).click();
  const box = second.getByLabel('Edit your question');
  expect(await box.inputValue()).toBe('And the smallest?');
  await box.fill('And the hottest?');
  await second.getByRole('button', { name: 'Send edit' }).click();
  await question(page, 'And the hottest?').waitFor();
  await waitForRunToFinish(page);
  const versions = () => page.getByRole('navigation', { name: 'Versions of this question' });
  await expect.poll(() => versions().textContent()).toContain('2 / 2');
  expect(await page.getByText('And the smallest?').count()).toBe(0);
  await expect.poll(() => finalAnswers(page).count()).toBe(2);
  expect(await page.getByRole('article').count()).toBe(2);

  // Back to the first version: its question and its own run are there again.
  await page.getByRole('button', { name: 'Previous version' }).click();
  await question(page, 'And the smallest?').waitFor();
  expect(await page.getByText('And the hottest?').count()).toBe(0);
  await expect.poll(() => versions().textContent()).toContain('1 / 2');
  await expect.poll(() => finalAnswers(page).last().textContent()).toContain('chairman synthesis');

  // The server remembers the branch shown.
  await page.reload();
  await question(page, 'And the smallest?').waitFor();
  await expect.poll(() => versions().textContent()).toContain('1 / 2');
  await page.getByRole('button', { name: 'Next version' }).click();
  await question(page, 'And the hottest?').waitFor();

  // Copy the shown branch's final answer: its Markdown source lands on the clipboard, and the button says so.
  const copy = finalAnswers(page).last().getByRole('button', { name: 'Copy the final answer' });
  await copy.click();
  await expect.poll(() => copy.textContent()).toContain('Copied');
  await expect
    .poll(() => page.evaluate(() => navigator.clipboard.readText()))
    .toMatch(/^\*\*Simulated chairman synthesis/);
  expect(problems).toEqual([]);
  await context.close();
});

test('regenerate the final answer: a new version of the turn over the same answers, switchable back', async () => {
  const { page, context, problems } = await openAppPage(stack.browser, { viewport: { width: 1280, height: 800 } });
  await register(page, stack.server.url, `regenerate-${Date.now().toString(36)}@example.test`);
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Name a prime number');
  await page.waitForURL(/\/c\//);
  await waitForRunToFinish(page);
  expect(await page.getByRole('navigation', { name: 'Versions of this question' }).count()).toBe(0);

  await finalAnswers(page).getByRole('button', { name: 'Regenerate the final answer' }).click();
  const versions = page.getByRole('navigation', { name: 'Versions of this question' });
  await versions.waitFor();
  await waitForRunToFinish(page);
  await expect.poll(() => versions.textContent()).toContain('2 / 2');
  await expect.poll(() => finalAnswers(page).textContent()).toContain('chairman synthesis');
  // One turn on screen, the same question: a version of the turn, not a new one.
  expect(await page.getByRole('article').count()).toBe(1);
  await question(page, 'Name a prime number').waitFor();

  await page.getByRole('button', { name: 'Previous version' }).click();
  await expect.poll(() => versions.textContent()).toContain('1 / 2');
  await expect.poll(() => finalAnswers(page).textContent()).toContain('chairman synthesis');
  expect(problems).toEqual([]);
  await context.close();
});

test('switching back to a branch lands on its newest follow-up, with its answer', async () => {
  // Short enough that the first turn fills the screen: landing on the version switched would hide the follow-up.
  const { page, context, problems } = await openAppPage(stack.browser, { viewport: { width: 1280, height: 560 } });
  await register(page, stack.server.url, `follow-up-${Date.now().toString(36)}@example.test`);
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Which ocean is deepest?');
  await page.waitForURL(/\/c\//);
  await waitForRunToFinish(page);

  // Version 2 of the question, then a follow-up asked on its branch.
  const first = page.getByRole('article').first();
  await first.getByRole('button', { name: 'Edit this question' }).click();
  await first.getByLabel('Edit your question').fill('Which ocean is widest?');
  await first.getByRole('button', { name: 'Send edit' }).click();
  await question(page, 'Which ocean is widest?').waitFor();
  await waitForRunToFinish(page);
  await ask(page, 'And how deep is it?');
  await question(page, 'And how deep is it?').waitFor();
  await waitForRunToFinish(page);

  // Over to version 1 (no follow-up there), then back to version 2.
  await page.getByRole('button', { name: 'Previous version' }).click();
  await question(page, 'Which ocean is deepest?').waitFor();
  expect(await question(page, 'And how deep is it?').count()).toBe(0);
  await page.getByRole('button', { name: 'Next version' }).click();

  // The follow-up and its final answer are shown, and the view is on them.
  const followUp = question(page, 'And how deep is it?');
  await followUp.waitFor();
  expect(await page.getByRole('article').count()).toBe(2);
  await expect.poll(() => finalAnswers(page).count()).toBe(2);
  await expect.poll(() => followUp.evaluate((el) => el.getBoundingClientRect().top)).toBeGreaterThanOrEqual(0);
  await expect.poll(() => followUp.evaluate((el) => el.getBoundingClientRect().top < window.innerHeight)).toBe(true);
  await expect
    .poll(() =>
      finalAnswers(page)
        .last()
        .evaluate((el) => el.getBoundingClientRect().top < window.innerHeight),
    )
    .toBe(true);
  expect(problems).toEqual([]);
  await context.close();
});
