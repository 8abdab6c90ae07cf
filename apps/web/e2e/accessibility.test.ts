import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { ask, openCouncilPath, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { useAppStack } from './harness/app-stack';
import { axeViolations, sidewaysScroll } from './harness/audit';
import { openAppPage } from './harness/browser';

// Issue 19 §5, as tested facts: axe-core (WCAG 2.1 AA) finds nothing on any page or state a user
// meets, in the light and the dark theme, and nothing scrolls sideways at 320 and 375 px.
const stack = useAppStack();

let userCount = 0;
const newEmail = () => `a11y-${Date.now().toString(36)}-${++userCount}@example.test`;

const DESKTOP = { width: 1280, height: 800 };
const THEMES = ['light', 'dark'] as const;
const NARROW_WIDTHS = [320, 375];

/** Every finding on the page as it stands, each line naming the state and the theme. */
async function audit(page: Page, state: string, options: { widths?: number[] } = {}): Promise<string[]> {
  const findings: string[] = [];
  const viewport = page.viewportSize() ?? DESKTOP;
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    for (const violation of await axeViolations(page)) findings.push(`${state} · ${theme} · axe ${violation}`);
    for (const width of options.widths ?? NARROW_WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      await page.evaluate(() => new Promise(requestAnimationFrame));
      for (const overflow of await sidewaysScroll(page)) findings.push(`${state} · ${theme} · ${width}px: ${overflow}`);
    }
    await page.setViewportSize(viewport);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return findings;
}

test('axe-core finds no WCAG 2.1 AA violation and nothing scrolls sideways, on every page and state, light and dark', async () => {
  const { page, context, problems } = await openAppPage(stack.browser, { viewport: DESKTOP });
  const findings: string[] = [];
  const isRunning = () => page.locator('[aria-busy="true"].council-run').count();

  await page.goto(`${stack.server.url}/login`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  findings.push(...(await audit(page, 'sign in')));

  await register(page, stack.server.url, newEmail());
  findings.push(...(await audit(page, 'empty home')));

  await saveApiKey(page);
  findings.push(...(await audit(page, 'settings')));

  await page.getByRole('link', { name: 'New conversation' }).click();
  await ask(page, 'Which **colour** should the button be?\n\n```python\nprint("blue")\n```');
  await page.waitForURL(/\/c\//);
  await expect.poll(() => page.getByRole('tabpanel').first().textContent(), { timeout: 20_000 }).toContain('Simulated');
  expect(await isRunning()).toBe(1);
  findings.push(...(await audit(page, 'running run', { widths: [375] })));
  // The audit above must have seen a run in progress, not a finished one.
  expect(await isRunning()).toBe(1);

  await waitForRunToFinish(page);
  await openCouncilPath(page);
  await page.getByRole('table', { name: /street cred/i }).waitFor();
  findings.push(...(await audit(page, 'finished run, details open')));

  await page.getByRole('link', { name: 'Usage' }).click();
  await page.getByRole('heading', { name: 'Per model' }).waitFor();
  findings.push(...(await audit(page, 'usage')));
  // Under 600 px the per-model table is one block per model, its name on one line (not a letter a line).
  await page.setViewportSize({ width: 375, height: 800 });
  const modelCells = page.getByRole('table').getByRole('rowheader');
  expect(await modelCells.count()).toBeGreaterThan(0);
  for (const cell of await modelCells.all()) {
    const shape = await cell.evaluate((th) => ({
      display: getComputedStyle(th.parentElement as Element).display,
      lines: th.getBoundingClientRect().height / parseFloat(getComputedStyle(th).lineHeight),
    }));
    expect(shape.display).toBe('block');
    expect(shape.lines).toBeLessThan(2.5);
  }
  await page.setViewportSize(DESKTOP);

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Account', exact: true }).scrollIntoViewIfNeeded();
  await page.getByRole('button', { name: 'Delete account…' }).click();
  await page.getByRole('dialog').waitFor();
  findings.push(...(await audit(page, 'account, delete dialog open')));
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('searchbox').fill('colour');
  await page.getByRole('list', { name: 'Search results' }).getByRole('link').first().waitFor();
  findings.push(...(await audit(page, 'search results')));
  await page.getByRole('searchbox').press('Escape');

  await page.setViewportSize({ width: 375, height: 800 });
  await page.getByRole('button', { name: 'Open menu' }).click();
  await page.getByRole('button', { name: 'Close menu' }).waitFor();
  findings.push(...(await audit(page, 'mobile drawer open')));

  expect(findings.join('\n\n')).toBe('');
  expect(problems).toEqual([]);
  await context.close();
});
