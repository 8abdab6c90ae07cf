import { expect, test } from 'vitest';
import { useAppStack } from './harness/app-stack';
import { ask, openCouncilPath, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { openAppPage, saveScreenshot } from './harness/browser';

// The council method as a user sees it, in one scripted run of the default council: Grok never
// answers (late), the three others each put a different colleague first (a three-way tie, a
// close verdict), and GPT's first review is off-format, so it is repaired.
const stack = useAppStack({ scenario: 'council-method', env: { COUNCIL_SOFT_DEADLINE_SECONDS: '3' } });

test('a run with a tie, a close verdict, a repaired review and a late model renders all four', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  await register(page, stack.server.url, `e2e-method-${Date.now().toString(36)}@example.test`);
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Which of you is best at this?');
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);

  // Late: while the run goes on, Grok's chip in the progress strip says so.
  const grokChip = page
    .getByRole('list', { name: 'Council members' })
    .getByRole('listitem')
    .filter({ hasText: 'grok-4' });
  await expect.poll(() => grokChip.textContent(), { timeout: 30_000 }).toContain('late, left out');
  await waitForRunToFinish(page, 90_000);
  await openCouncilPath(page);
  // Once the run is over, its answer tab says why there is no answer.
  await page
    .getByRole('tablist', { name: 'Answers by model' })
    .getByRole('tab', { name: /grok-4/ })
    .click();
  expect(await page.getByText(/Too late: no answer before the stage's deadline/).count()).toBe(1);

  // A three-way tie for first place: the verdict says "Close" in plain words, W only in the details.
  const table = page.getByRole('table', { name: /peer ranking/i });
  const places = await table.locator('tbody .ranking-place').allTextContents();
  expect(places.map((p) => p.trim())).toEqual(['#1 (tie)', '#1 (tie)', '#1 (tie)']);
  const verdict = page.getByRole('group', { name: 'Verdict' });
  expect(await verdict.locator('.verdict-line').textContent()).toMatch(/^Close .* share first place/);
  expect(await verdict.locator('.verdict-line').textContent()).not.toMatch(/contested|W \d/);
  await verdict.getByText('Details').click();
  expect(await verdict.locator('details').textContent()).toMatch(/agreement W \d\.\d\d/);

  // GPT's review (the first tab) was repaired and shows the order it was read in.
  const reviews = page.getByRole('tablist', { name: 'Reviews by model' });
  await reviews.getByRole('tab', { name: /gpt-5\.1/ }).click();
  const review = page.getByRole('tabpanel').filter({ hasText: 'Read in this order' });
  expect(await review.getByText('repaired', { exact: true }).count()).toBe(1);
  expect(await review.getByText(/ranking read/).count()).toBe(1);

  await table.scrollIntoViewIfNeeded();
  await saveScreenshot(page, '08-council-method');
  expect(problems).toEqual([]);
  await context.close();
});
