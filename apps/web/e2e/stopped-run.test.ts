import { expect, test } from 'vitest';
import { ask, openCouncilPath, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { useAppStack } from './harness/app-stack';
import { openAppPage } from './harness/browser';

// Issue 19 §1: a run stopped mid-answer keeps what had streamed. The upstream streams a word
// every 250 ms, so the run is stopped while the first answer is still being written.
const stack = useAppStack({ scenario: 'slow-answers' });

test('a run stopped mid-answer shows the same partial answer after a reload, marked stopped, nothing animating', async () => {
  const { page, context } = await openAppPage(stack.browser);
  await register(page, stack.server.url, `stopped-${Date.now().toString(36)}@example.test`);
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Stop me halfway through');
  await page.waitForURL(/\/c\//);

  const answers = page.locator('.tabs', { has: page.getByRole('tablist', { name: 'Answers by model' }) });
  const firstAnswer = answers.locator('.markdown').first();
  // A few words in, well before the end of the answer.
  await page.waitForFunction(
    () => (document.querySelector('.tabs .markdown')?.textContent ?? '').trim().split(/\s+/).length >= 3,
  );
  await page.getByRole('button', { name: 'Stop the council' }).click();
  await waitForRunToFinish(page);

  const chips = page.getByRole('list', { name: 'Council members' }).getByRole('listitem');
  const describe = async () => ({
    text: (await firstAnswer.textContent())?.trim() ?? '',
    stoppedNotes: await answers.getByText('Stopped before it finished.').count(),
    chips: await chips.allTextContents(),
    waiting: await page.getByText('Waiting for the first words…').count(),
    animated: await page.locator('.typing-dots, .spinner, .markdown.is-streaming').count(),
  });
  const live = await describe();
  expect(live.text.split(/\s+/).length).toBeGreaterThanOrEqual(3);
  expect(live.stoppedNotes).toBe(1);
  expect(live.chips.some((chip) => /stopped/.test(chip))).toBe(true);
  expect(live.waiting).toBe(0);
  expect(live.animated).toBe(0);

  await page.reload();
  await chips.first().waitFor();
  await openCouncilPath(page);
  await firstAnswer.waitFor();
  expect(await describe()).toEqual(live);
  expect(await page.getByText('You stopped this run.').count()).toBe(1);
  await context.close();
});
