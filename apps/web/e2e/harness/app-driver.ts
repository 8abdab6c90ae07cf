import type { Page } from 'playwright-core';

/*
 * What a user does, in the words of the UI: labels, roles and visible text, never CSS classes
 * where a user-facing handle exists. If a test needs a selector the user cannot see, that is a
 * hint the UI is missing a label.
 */

export const PASSWORD = 'correct horse battery staple';

export async function register(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'What should the council consider?' }).waitFor();
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function saveApiKey(page: Page): Promise<string> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('OpenRouter API key').fill('sk-or-v1-e2e-demo-key-0123456789');
  await page.getByRole('button', { name: 'Save key' }).click();
  return (
    (await page
      .getByRole('status')
      .filter({ hasText: /Key verified|Saved/ })
      .textContent()) ?? ''
  );
}

export function composer(page: Page) {
  return page.getByLabel('Message the council');
}

/** Types a question and sends it with Enter, as the hint under the box says. */
export async function ask(page: Page, question: string): Promise<void> {
  await composer(page).fill(question);
  await composer(page).press('Enter');
}

/** The run is over when the box accepts input again. */
export async function waitForRunToFinish(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const box = document.querySelector<HTMLTextAreaElement>('textarea');
      return box !== null && !box.disabled && document.querySelector('[aria-busy="true"].council-run') === null;
    },
    null,
    { timeout },
  );
}

export function finalAnswers(page: Page) {
  return page.getByRole('region', { name: 'Final answer' });
}

/** Opens "How the council got here" (stages 1 and 2) of the latest turn, collapsed once a run is done. */
export async function openCouncilPath(page: Page): Promise<void> {
  const path = page.locator('details.council-path').last();
  if ((await path.getAttribute('open')) === null) await path.locator(':scope > summary').click();
}
