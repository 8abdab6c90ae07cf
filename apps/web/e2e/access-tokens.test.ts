import { expect, test } from 'vitest';
import { useAppStack } from './harness/app-stack';
import { PASSWORD, register } from './harness/app-driver';
import { openAppPage } from './harness/browser';

// Settings → Access tokens in a real browser against the real server: a token is shown once with a
// copy button, works as a Bearer token, is listed by its prefix, and stops working once revoked
// (security cases 67 and 70).

const stack = useAppStack();

/** What a script holding `token` gets from `conversations.list`: the HTTP status and the app code. */
async function listWith(token: string): Promise<{ status: number; appCode: string | null }> {
  const response = await fetch(`${stack.server.url}/trpc/conversations.list`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { error?: { data?: { appCode?: string } } };
  return { status: response.status, appCode: body.error?.data?.appCode ?? null };
}

test('a user creates an access token (shown once, copied), sees it listed, revokes it, and it stops working', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.server.url });
  await register(page, stack.server.url, `e2e-tokens-${Date.now().toString(36)}@example.test`);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Access tokens' }).waitFor();
  await page.getByText('No access tokens yet.').waitFor();

  await page.getByLabel('Token name').fill('laptop CLI');
  // The defaults are what the CLI asks for (read + council) and a 90-day expiry (issue 17).
  expect(await page.getByRole('checkbox', { name: /read —/ }).isChecked()).toBe(true);
  expect(await page.getByRole('checkbox', { name: /council —/ }).isChecked()).toBe(true);
  // Minting needs the password: a wrong one is refused next to the field, and nothing is made.
  await page.getByLabel('Your password').fill('not my password');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByText('Current password is incorrect').waitFor();
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create token' }).click();

  const notice = page.getByRole('region', { name: 'New access token' });
  await notice.getByText('it will not be shown again').waitFor();
  const token = await notice.getByLabel('Your new access token').inputValue();
  expect(token).toMatch(/^llmc_pat_[A-Za-z0-9_-]{43}$/);
  await notice.getByRole('button', { name: 'Copy' }).click();
  await notice.getByRole('button', { name: 'Copied' }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  expect(await listWith(token)).toEqual({ status: 200, appCode: null });

  // Once dismissed the token is gone from the page for good; the list shows only its prefix.
  await notice.getByRole('button', { name: 'Done' }).click();
  await notice.waitFor({ state: 'detached' });
  const row = page.getByRole('list', { name: 'Your access tokens' }).getByRole('listitem', { name: 'laptop CLI' });
  await expect.poll(() => row.textContent()).toContain(`${token.slice(0, 'llmc_pat_'.length + 6)}…`);
  expect(await row.textContent()).toContain('read + council');
  expect(await row.textContent()).toContain('expires');
  expect(await page.content()).not.toContain(token);
  // The script's call above shows as its last use once the list is loaded again.
  await page.reload();
  await expect.poll(() => row.textContent()).toMatch(/Last used\s*just now/);
  expect(await page.content()).not.toContain(token);

  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('group', { name: 'Confirm revoking laptop CLI' }).getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('status').filter({ hasText: '“laptop CLI” revoked' }).waitFor();
  await row.waitFor({ state: 'detached' });
  await page.getByText('No access tokens yet.').waitFor();
  expect(await listWith(token)).toEqual({ status: 401, appCode: 'ACCESS_TOKEN_INVALID' });

  // Still gone after a reload: the list comes from the server.
  await page.reload();
  await page.getByRole('heading', { name: 'Access tokens' }).waitFor();
  await page.getByText('No access tokens yet.').waitFor();
  expect(problems).toEqual([]);
  await context.close();
});
