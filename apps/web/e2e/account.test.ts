import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { useAppStack } from './harness/app-stack';
import { PASSWORD, register } from './harness/app-driver';
import { openAppPage } from './harness/browser';

// Settings → Account in a real browser against the real server: changing the password, signing
// another device out, and deleting the account (security cases 63–66).

const stack = useAppStack();

const uniqueEmail = (what: string) => `e2e-${what}-${Date.now().toString(36)}@example.test`;

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
}

/** Signs in on the login page and says how it went: the home screen, or the form's error. */
async function trySignIn(page: Page, email: string, password: string): Promise<string> {
  await page.goto(`${stack.server.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const home = page.getByRole('heading', { name: 'What should the council consider?' });
  const error = page.getByRole('alert');
  await home.or(error).first().waitFor();
  return (await home.isVisible()) ? 'signed in' : ((await error.textContent()) ?? '').trim();
}

test('changing the password keeps this device signed in; the new password works and the old one fails', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  const email = uniqueEmail('password');
  await register(page, stack.server.url, email);
  await openSettings(page);

  const form = page.locator('form', { has: page.getByRole('heading', { name: 'Change password' }) });
  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByLabel('New password', { exact: true }).fill('a brand new passphrase 42');
  await form.getByLabel('Confirm new password').fill('a brand new passphrase 43');
  await form.getByRole('button', { name: 'Change password' }).click();
  await form.getByText('The passwords do not match.').waitFor();

  await form.getByLabel('Confirm new password').fill('a brand new passphrase 42');
  await form.getByRole('button', { name: 'Change password' }).click();
  await form.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
  // This device stays signed in, also across a reload (the new refresh cookie was stored).
  await page.reload();
  await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();

  const other = await openAppPage(stack.browser);
  expect(await trySignIn(other.page, email, PASSWORD)).toBe('Email or password is incorrect');
  expect(await trySignIn(other.page, email, 'a brand new passphrase 42')).toBe('signed in');
  expect([...problems, ...other.problems]).toEqual([]);
  await other.context.close();
  await context.close();
});

test('a device revoked from the session list is signed out on its next call', async () => {
  const laptop = await openAppPage(stack.browser);
  const email = uniqueEmail('sessions');
  await register(laptop.page, stack.server.url, email);
  const phone = await openAppPage(stack.browser);
  expect(await trySignIn(phone.page, email, PASSWORD)).toBe('signed in');

  await openSettings(laptop.page);
  const list = laptop.page.getByRole('region', { name: 'Where you are signed in' });
  const rows = list.getByRole('listitem');
  await expect.poll(() => rows.count()).toBe(2);
  const mine = rows.filter({ hasText: 'This device' });
  expect(await mine.count()).toBe(1);
  expect(await mine.textContent()).toMatch(/Chrome on Linux/);
  expect(await mine.getByRole('button', { name: 'Revoke' }).count()).toBe(0);

  await rows.filter({ hasNotText: 'This device' }).getByRole('button', { name: 'Revoke' }).click();
  await list.getByRole('status').filter({ hasText: 'has been signed out' }).waitFor();
  await expect.poll(() => rows.count()).toBe(1);

  // The phone's next call is refused, its refresh too: back to the sign-in screen.
  await phone.page.getByRole('link', { name: 'Settings' }).click();
  await phone.page.getByText('Your session has ended. Please sign in again.').waitFor();
  // The laptop carries on.
  await laptop.page.reload();
  await laptop.page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
  expect([...laptop.problems, ...phone.problems]).toEqual([]);
  await phone.context.close();
  await laptop.context.close();
});

test('deleting the account asks for the password, lands on the sign-in page, and the account is gone', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  const email = uniqueEmail('delete');
  await register(page, stack.server.url, email);
  await openSettings(page);

  await page.getByRole('button', { name: 'Delete account…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(`Delete ${email} and all its data?`).waitFor();
  await dialog.getByLabel('Your password').fill('not my password');
  await dialog.getByRole('button', { name: 'Delete my account' }).click();
  await dialog.getByText('Current password is incorrect').waitFor();

  await dialog.getByLabel('Your password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Delete my account' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/login');
  // No session survives a reload (the refresh cookie went with the account).
  await page.goto(`${stack.server.url}/settings`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();

  expect(await trySignIn(page, email, PASSWORD)).toBe('Email or password is incorrect');
  expect(problems).toEqual([]);
  await context.close();
});
