import { expect, test } from 'vitest';
import { useAppStack } from './harness/app-stack';
import { startCouncilServer } from './harness/processes';
import {
  ask,
  composer,
  finalAnswers,
  openCouncilPath,
  register,
  saveApiKey,
  signIn,
  waitForRunToFinish,
} from './harness/app-driver';
import { openAppPage, saveScreenshot } from './harness/browser';

// One fake upstream, one server and one browser for the file; every test signs up its own user.
const stack = useAppStack();

let userCount = 0;
const newEmail = () => `e2e-${Date.now().toString(36)}-${++userCount}@example.test`;

test('a new user asks the council, watches it stream, and finds every stage again after a reload and a new sign-in', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  const email = newEmail();
  await page.goto(stack.server.url);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await saveScreenshot(page, '01-sign-in');
  await register(page, stack.server.url, email);

  expect(await saveApiKey(page)).toMatch(/Key verified by OpenRouter/);
  await expect.poll(() => page.getByText(/Key saved/).textContent()).toMatch(/…?\w{4,}/);
  await saveScreenshot(page, '03-settings');

  await page.getByRole('link', { name: 'New conversation' }).click();
  await page.getByRole('button', { name: 'Change' }).click();
  await saveScreenshot(page, '02-new-conversation');
  await ask(page, 'What is the capital of France, and why did it become the capital?');

  // Stage 1 text is on screen while the run is still going.
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  const stage1 = page.getByRole('tabpanel').first();
  await expect.poll(() => stage1.textContent(), { timeout: 20_000 }).toContain('Simulated answer');
  expect(await composer(page).isDisabled()).toBe(true);
  await saveScreenshot(page, '04-council-streaming');

  const table = page.getByRole('table', { name: /street cred/i });
  await table.waitFor({ timeout: 30_000 });
  await waitForRunToFinish(page);
  await expect.poll(() => finalAnswers(page).textContent()).toContain('Chairman: gemini-3-pro-preview');
  await openCouncilPath(page);
  expect(await table.getByRole('row').count()).toBe(5);
  await table.scrollIntoViewIfNeeded();
  await saveScreenshot(page, '05-rankings');
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, '06-dark-theme');
  await page.emulateMedia({ colorScheme: 'light' });
  const conversationUrl = page.url();
  // The answer itself (timings in the footer are only known live).
  const answerText = () => finalAnswers(page).locator('.markdown').textContent();
  const finalText = await answerText();

  await page.reload();
  await expect.poll(answerText, { timeout: 20_000 }).toBe(finalText);
  await openCouncilPath(page);
  expect(
    await page
      .getByRole('table', { name: /street cred/i })
      .getByRole('row')
      .count(),
  ).toBe(5);
  expect(await page.getByRole('tabpanel').first().textContent()).toContain('Simulated answer');
  // Reviews name the models instead of anonymous labels.
  expect(await page.getByRole('tablist', { name: 'Reviews by model' }).count()).toBe(1);

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signIn(page, email);
  await page
    .getByRole('link', { name: /Capital|France/i })
    .first()
    .click();
  await expect.poll(answerText, { timeout: 20_000 }).toBe(finalText);
  expect(page.url()).toBe(conversationUrl);

  await page.setViewportSize({ width: 375, height: 780 });
  await saveScreenshot(page, '07-mobile');
  expect(problems).toEqual([]);
  await context.close();
});

test('a second user cannot open the first user’s conversation', async () => {
  const alice = await openAppPage(stack.browser);
  await register(alice.page, stack.server.url, newEmail());
  await saveApiKey(alice.page);
  await alice.page.getByRole('link', { name: 'New conversation' }).click();
  await ask(alice.page, 'A private question');
  await alice.page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  const privateUrl = alice.page.url();

  const bob = await openAppPage(stack.browser);
  await register(bob.page, stack.server.url, newEmail());
  await bob.page.goto(privateUrl);
  await bob.page.getByRole('heading', { name: 'Conversation not found' }).waitFor();
  expect(await bob.page.getByText('A private question').count()).toBe(0);
  expect(await bob.page.getByText('No conversations yet', { exact: false }).count()).toBe(1);
  await Promise.all([alice.context.close(), bob.context.close()]);
});

test('model output carrying <img onerror> and <script> renders inert', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  // The demo models quote the question back, so the payload arrives inside every model's answer.
  await ask(page, `Repeat this: <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>`);
  await page.waitForURL(/\/c\//);
  await waitForRunToFinish(page);
  await openCouncilPath(page);

  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('.markdown img, .markdown script, [onerror]').count()).toBe(0);
  expect(await page.getByRole('tabpanel').first().textContent()).toContain('Repeat this');
  expect(problems).toEqual([]);
  await context.close();
});

test('a run keeps going through a page reload and the page picks it up where it is', async () => {
  const { page, context } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Will you survive a reload?');
  await page.waitForURL(/\/c\//);
  await expect.poll(() => page.getByRole('tabpanel').first().textContent(), { timeout: 20_000 }).toContain('Simulated');

  await page.reload();
  await page
    .getByRole('status')
    .filter({ hasText: /Stage|Convening/ })
    .first()
    .waitFor({ timeout: 20_000 });
  expect(await composer(page).isDisabled()).toBe(true);
  await waitForRunToFinish(page);
  await expect.poll(() => finalAnswers(page).textContent()).toContain('Simulated chairman synthesis');
  await context.close();
});

test('an expired session token is renewed behind the scenes instead of signing the user out', async () => {
  // Its own server, whose access tokens live 11 s (the SDK renews 10 s ahead of expiry).
  const shortLived = await startCouncilServer(stack.upstream.url, { ACCESS_TOKEN_TTL_SECONDS: '11' });
  try {
    const { page, context } = await openAppPage(stack.browser);
    await register(page, shortLived.url, newEmail());
    await page.waitForTimeout(12_000);

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByText(/No key saved|Key saved/).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings');
    await context.close();
  } finally {
    await shortLived.stop();
  }
});
