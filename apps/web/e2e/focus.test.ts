import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ask, openCouncilPath, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { useAppStack } from './harness/app-stack';
import { openAppPage } from './harness/browser';

// Issue 19 §5: focus never hides under the composer, the delete confirmation starts on Cancel, the
// drawer keeps focus inside and gives it back; and the README's screenshots are taken here.
const stack = useAppStack();

let userCount = 0;
const newEmail = () => `focus-${Date.now().toString(36)}-${++userCount}@example.test`;
const readmeScreenshots = join(import.meta.dirname, '..', '..', '..', 'docs', 'screenshots');

test('the last control of a finished run, reached with the keyboard, sits above the composer; README screenshots', async () => {
  const { page, context, problems } = await openAppPage(stack.browser, { viewport: { width: 1280, height: 800 } });
  await register(page, stack.server.url, newEmail());
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'What is the capital of France, and why did it become the capital?');
  await page.waitForURL(/\/c\//);
  await expect.poll(() => page.getByRole('tabpanel').first().textContent(), { timeout: 20_000 }).toContain('Simulated');
  mkdirSync(readmeScreenshots, { recursive: true });
  await page.screenshot({ path: join(readmeScreenshots, 'streaming.png') });
  await waitForRunToFinish(page);
  await openCouncilPath(page);
  await page.getByRole('table', { name: /street cred/i }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(readmeScreenshots, 'chat.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(readmeScreenshots, 'dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    // Shift+Tab from the composer's first control (Attach files, before the question box) reaches
    // the last focusable element of the finished run.
    await page.locator('.composer-dock').getByRole('button', { name: 'Attach files' }).focus();
    await page.keyboard.press('Shift+Tab');
    const place = await page.evaluate(() => {
      const focused = document.activeElement as HTMLElement;
      const dock = document.querySelector('.composer-dock') as HTMLElement;
      return {
        inRun: focused.closest('article') !== null,
        bottom: focused.getBoundingClientRect().bottom,
        composerTop: dock.getBoundingClientRect().top,
      };
    });
    expect(place.inRun).toBe(true);
    expect(place.bottom).toBeLessThanOrEqual(place.composerTop);
  }
  // The sidebar slides away when the viewport narrows: shoot once it has gone.
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
  await page.screenshot({ path: join(readmeScreenshots, 'mobile.png') });
  expect(problems).toEqual([]);
  await context.close();
});

test('deleting a conversation asks first, with focus on Cancel', async () => {
  const { page, context } = await openAppPage(stack.browser);
  await register(page, stack.server.url, newEmail());
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Delete me later');
  await page.waitForURL(/\/c\//);
  await waitForRunToFinish(page);
  await page.getByRole('button', { name: /^Delete “/ }).click();
  const confirm = page.getByRole('group', { name: 'Confirm deletion' });
  await confirm.waitFor();
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel');
  await page.keyboard.press('Enter');
  expect(await confirm.count()).toBe(0);
  expect(await page.getByRole('button', { name: /^Delete “/ }).count()).toBe(1);
  await context.close();
});

test('the mobile drawer keeps Tab inside it and gives focus back to the menu button when it closes', async () => {
  const { page, context } = await openAppPage(stack.browser, { viewport: { width: 375, height: 800 } });
  await register(page, stack.server.url, newEmail());
  const menu = page.getByRole('button', { name: 'Open menu' });
  await menu.click();
  const isInDrawer = () => page.evaluate(() => document.getElementById('sidebar')?.contains(document.activeElement));
  expect(await isInDrawer()).toBe(true);
  // More presses than the drawer has controls: focus never leaves it, either way round.
  for (let step = 0; step < 12; step++) {
    await page.keyboard.press('Tab');
    expect(await isInDrawer()).toBe(true);
  }
  for (let step = 0; step < 12; step++) {
    await page.keyboard.press('Shift+Tab');
    expect(await isInDrawer()).toBe(true);
  }
  await page.keyboard.press('Escape');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open menu');
  await menu.click();
  await page.getByRole('button', { name: 'Close menu' }).click();
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open menu');
  await context.close();
});
