import axe from 'axe-core';
import type { Page } from 'playwright-core';

/*
 * What the accessibility tests measure on a page as it stands: axe-core's WCAG 2.1 AA rules, and
 * whether anything scrolls sideways. Both return readable lines (empty when all is well), so a
 * failing test prints what is wrong and where instead of a count.
 */

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axe-core's WCAG 2.1 A and AA violations on the page, one readable block per rule. */
export async function axeViolations(page: Page): Promise<string[]> {
  // A theme switch fades colours in: measure contrast once every transition has ended.
  // (Only transitions: a running run's animations never end.)
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation instanceof CSSTransition)
        .map((transition) => transition.finished.catch(() => undefined)),
    ),
  );
  // Evaluated through the DevTools protocol, so the app's CSP (no inline scripts) stays as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async (tags) => {
    const injected = (window as unknown as { axe: typeof axe }).axe;
    const result = await injected.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
      // Not a WCAG rule in axe (best practice), but the issue counted it: headings go down one level at a time.
      rules: { 'heading-order': { enabled: true } },
    });
    return result.violations;
  }, WCAG_21_AA);
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help}\n` +
      violation.nodes
        .map(
          (node) =>
            `      at ${node.target.join(' ')}\n        ${(node.failureSummary ?? '').replace(/\n/g, '\n        ')}`,
        )
        .join('\n'),
  );
}

/** Elements that scroll sideways though they should not: the document and the main column. */
export async function sidewaysScroll(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [document.documentElement, document.getElementById('main')]
      .filter((element): element is HTMLElement => element !== null)
      .filter((element) => element.scrollWidth > element.clientWidth)
      .map((element) => {
        // Name the widest descendants, the likely culprits.
        const right = element.getBoundingClientRect().right;
        const culprits = Array.from(element.querySelectorAll<HTMLElement>('*'))
          .filter((child) => child.getBoundingClientRect().right > right + 0.5)
          .slice(0, 3)
          .map((child) => {
            const path: string[] = [];
            for (
              let node: Element | null = child;
              node && node !== element && path.length < 4;
              node = node.parentElement
            )
              path.unshift(`${node.tagName.toLowerCase()}${[...node.classList].map((name) => `.${name}`).join('')}`);
            return path.join(' > ');
          });
        return `${element.id || element.tagName.toLowerCase()} is ${element.scrollWidth}px wide in ${element.clientWidth}px (${culprits.join(', ')})`;
      }),
  );
}
