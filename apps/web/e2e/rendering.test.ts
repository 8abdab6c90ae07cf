import { expect, test } from 'vitest';
import { ask, openCouncilPath, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { useAppStack } from './harness/app-stack';
import { openAppPage } from './harness/browser';

const stack = useAppStack();

let userCount = 0;
const newEmail = () => `render-${Date.now().toString(36)}-${++userCount}@example.test`;

test('code is highlighted with only the grammar the answer needs, and maths typeset by the server as MathML', async () => {
  const { page, context, problems } = await openAppPage(stack.browser);
  const scripts: string[] = [];
  const mathsRequests: { method: string; body: string | null }[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (request.resourceType() === 'script') scripts.push(url.pathname);
    if (url.pathname.startsWith('/trpc/') && url.pathname.includes('maths.render')) {
      mathsRequests.push({ method: request.method(), body: request.postData() });
    }
  });
  await register(page, stack.server.url, newEmail());
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  // Before any answer with code, the highlighter has not been fetched.
  expect(scripts.filter((path) => /\/(core|python)-/.test(path))).toEqual([]);

  // The demo models answer a question with code or TeX by quoting it back whole.
  await ask(
    page,
    'Explain this:\n\n```python\ndef area(r):\n    return 3.14 * r ** 2\n```\n\nand $$\\frac{a}{b}$$ with $x^2$.',
  );
  await page.waitForURL(/\/c\//);
  await waitForRunToFinish(page);
  await openCouncilPath(page);
  const answer = page.getByRole('tabpanel').first();
  await expect.poll(() => answer.locator('code.language-python .hljs-keyword').first().textContent()).toBe('def');
  // The question is quoted twice (shortened, then whole): both formulas render each time.
  await expect.poll(() => answer.locator('math[display="block"] mfrac').count()).toBeGreaterThan(0);
  expect(await answer.locator('math:not([display]) msup').count()).toBeGreaterThan(0);
  expect(await answer.textContent()).not.toContain('$x^2$');
  // The keyword is coloured differently from the code around it.
  const colours = await answer
    .locator('code.language-python')
    .first()
    .evaluate((code) => [
      getComputedStyle(code).color,
      getComputedStyle(code.querySelector('.hljs-keyword') as Element).color,
    ]);
  expect(colours[0]).not.toBe(colours[1]);

  // Chromium lays the server's MathML out itself (no KaTeX stylesheet or fonts): the fraction
  // stands taller than a line of text.
  const fraction = await answer.locator('math[display="block"] mfrac').first().boundingBox();
  expect(fraction?.height).toBeGreaterThan(20);
  // No TeX converter reached the browser: the formulas went to maths.render, as a POST.
  expect(scripts.filter((path) => /katex|temml/i.test(path))).toEqual([]);
  expect(mathsRequests.length).toBeGreaterThan(0);
  expect(mathsRequests.every((request) => request.method === 'POST')).toBe(true);
  expect(mathsRequests.some((request) => request.body?.includes('\\\\frac{a}{b}'))).toBe(true);
  expect(scripts.some((path) => /\/python-/.test(path))).toBe(true);
  expect(scripts.filter((path) => /\/(rust|java|typescript)-/.test(path))).toEqual([]);
  expect(problems).toEqual([]);
  await context.close();
});
