import { expect, test } from 'vitest';
import { ask, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { useAppStack } from './harness/app-stack';
import { openAppPage } from './harness/browser';

// Issue 22 §1: create a saved council in Settings → Councils, ask with it from the new-conversation
// page (remembered next time), and a follow-up asks the same way.
const stack = useAppStack();

test('create a one-model council in Settings, ask with it, and follow up: one plain answer each time', async () => {
  const { page, context, problems } = await openAppPage(stack.browser, { viewport: { width: 1280, height: 800 } });
  await register(page, stack.server.url, `councils-${Date.now().toString(36)}@example.test`);
  await saveApiKey(page);

  const section = page.getByRole('region', { name: 'Councils' });
  await section.getByRole('button', { name: 'New council' }).click();
  const form = section.getByRole('form', { name: 'New council' });
  await form.getByLabel('Name').fill('Quick chat');
  await form.getByLabel('Mode').selectOption('answers');
  await form.getByRole('button', { name: 'Change' }).click();
  // Keep only the first of the default members: one model is enough for answers only.
  const checked = form.locator('.picker-list input[type="checkbox"]:checked');
  while ((await checked.count()) > 1) await checked.last().uncheck();
  await form.getByLabel('Instructions').fill('Answer in one short paragraph.');
  await form.getByRole('button', { name: 'Create council' }).click();
  await expect.poll(() => section.getByRole('status').textContent()).toContain('“Quick chat” created.');
  expect(await section.getByRole('listitem', { name: 'Quick chat' }).textContent()).toContain('answers only');

  await page.getByRole('link', { name: 'New conversation' }).click();
  await page.getByLabel('Ask with').selectOption({ label: 'Quick chat' });
  expect(await page.getByLabel('Mode').inputValue()).toBe('answers');
  await ask(page, 'Which ocean is the deepest?');
  await page.waitForURL(/\/c\//);
  await waitForRunToFinish(page);
  const answers = page.getByRole('region', { name: 'Final answer' });
  await expect.poll(() => answers.last().textContent()).toContain('Answers only: no peer review or synthesis.');

  // A follow-up asks the same way: one more plain answer, no council.
  await ask(page, 'And the shallowest?');
  await waitForRunToFinish(page);
  await expect.poll(() => answers.count()).toBe(2);
  expect(await answers.last().textContent()).toContain('Answers only: no peer review or synthesis.');
  expect(await page.getByRole('heading', { name: 'Answer', exact: true }).count()).toBe(2);

  // The council is remembered for the next conversation.
  await page.getByRole('link', { name: 'New conversation' }).click();
  await expect.poll(() => page.getByLabel('Ask with').locator('option:checked').textContent()).toBe('Quick chat');
  expect(problems).toEqual([]);
  await context.close();
});
