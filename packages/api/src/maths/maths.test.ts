import { expect } from 'vitest';
import { MATHS_FORMULA_MAX_LENGTH, MATHS_MAX_FORMULAS, MATHS_MAX_TOTAL_LENGTH } from '../constants.js';
import { TEST_PASSWORD } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test } from '../testing/test-api.js';
import { MathsTypesetter } from './maths.service.js';

// Security case 115: TeX in model answers is untrusted. maths.render typesets it with KaTeX's safe
// options (no \href, \url or \includegraphics; 500 macro expansions; sizes capped), refuses
// oversized calls with a clear 400, serves signed-in sessions only, and charges each user's TeX
// not cached against a budget in the database that every host shares. (The client's DOMPurify
// half is apps/web/src/markdown/markdown-view.test.tsx.)

test('maths.render typesets inline and display formulas as bare MathML, in order', async ({ api }) => {
  const { caller } = await api.signUp();
  const [inline, display] = await caller.maths.render({
    formulas: [
      { tex: 'e^{i\\pi} + 1 = 0', display: false },
      { tex: '\\int_0^1 x\\,dx = \\frac{1}{2}', display: true },
    ],
  });
  expect(inline).toEqual({
    mathml:
      '<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo><mn>0</mn></mrow></math>',
  });
  expect(display).toMatchObject({
    mathml: expect.stringMatching(/^<math [^>]*display="block"><mrow>.*<mfrac>/) as string,
  });
  // No KaTeX wrapper (its class needs KaTeX's stylesheet) and no TeX annotation to print as text.
  expect(JSON.stringify([inline, display])).not.toMatch(/katex|annotation|semantics/);
});

test('TeX that KaTeX cannot parse is { error: "parse" } beside the formulas that render, not a failed call', async ({
  api,
}) => {
  const { caller } = await api.signUp();
  const results = await caller.maths.render({
    formulas: [
      { tex: '\\frac{a', display: false },
      { tex: 'x^2', display: false },
      // Display-only commands in inline maths, and chemistry (mhchem is not loaded), are parse errors too.
      { tex: '\\tag{1} x', display: false },
      { tex: '\\ce{H2O}', display: true },
      // A macro that expands itself stops at maxExpand instead of hanging the server.
      { tex: '\\def\\a{\\a\\a}\\a', display: false },
    ],
  });
  expect(results).toEqual([
    { error: 'parse' },
    { mathml: expect.stringContaining('<msup><mi>x</mi><mn>2</mn></msup>') as string },
    { error: 'parse' },
    { error: 'parse' },
    { error: 'parse' },
  ]);
});

test('case 115: links, images, classes and styles in TeX are not honoured; sizes are capped', async ({ api }) => {
  const { caller } = await api.signUp();
  const results = await caller.maths.render({
    formulas: [
      { tex: '\\href{javascript:alert(1)}{x} \\url{https://evil.example}', display: false },
      { tex: '\\includegraphics{https://evil.example/pixel.png}', display: false },
      { tex: '\\htmlClass{final-answer}{x} \\htmlId{main}{x} \\htmlStyle{position:fixed}{x}', display: false },
      { tex: '\\text{<img src=x onerror=alert(1)>}', display: false },
      { tex: '\\rule{1000em}{1000em}', display: true },
    ],
  });
  const mathml = results.map((result) => ('mathml' in result ? result.mathml : ''));
  // Unsupported commands render as their own name, in red, never as what they ask for.
  expect(mathml[0]).toContain('<mtext>\\href</mtext>');
  expect(mathml[0]).toContain('<mtext>\\url</mtext>');
  expect(mathml[1]).toContain('<mtext>\\includegraphics</mtext>');
  for (const output of mathml) {
    expect(output).toMatch(/^<math /);
    // MathML elements only (no <a>, <img>, <span>), and none of the attributes that link or style.
    const tags = output.match(/<[^>]*>/g) ?? [];
    expect(tags.filter((tag) => !/^<\/?m[a-z]*[\s>/]/.test(tag))).toEqual([]);
    expect(tags.filter((tag) => /\s(?:href|src|class|id|style)=/.test(tag))).toEqual([]);
  }
  expect(mathml.slice(0, 3).join('')).not.toMatch(/javascript:|evil\.example/);
  // Markup written in \text{} is escaped text (its spaces become no-break spaces).
  expect(mathml[3]).toMatch(/<mtext>&lt;img\ssrc=x\sonerror=alert\(1\)&gt;<\/mtext>/);
  expect(mathml[4]).toContain('width="10em" height="10em"');
});

test('case 115: spacing and raising are bounded, so a formula cannot move its glyphs over the page', async ({
  api,
}) => {
  const { caller } = await api.signUp();
  const mathml = (
    await caller.maths.render({
      formulas: [
        { tex: '\\kern-1000em x \\hspace{500em} y \\mkern-1000mu z', display: false },
        { tex: '\\raisebox{-100ex}{a} \\raisebox{10cm}{b}', display: false },
        { tex: '\\rule[-100em]{1em}{-100em}', display: false },
        // What TeX itself writes stays as it is: thin negative spaces, \llap, \smash, \xrightarrow.
        { tex: 'a\\!b \\mkern-18mu c \\llap{/}= \\smash{x} \\xrightarrow{f}', display: false },
      ],
    })
  ).map((result) => ('mathml' in result ? result.mathml : ''));
  expect(mathml[0]).toContain('<mspace width="-1em"/><mi>x</mi><mspace width="10em"/><mi>y</mi><mspace width="-1em"/>');
  expect(mathml[1]).toContain('<mpadded voffset="-1em">');
  expect(mathml[1]).toContain('<mpadded voffset="10em">');
  expect(mathml[2]).not.toMatch(/-100|-?\d{3,}(?:\.\d+)?em/);
  expect(mathml[3]).toContain('<mspace width="-1em"/>');
  expect(mathml[3]).toContain('lspace="-1width"');
  expect(mathml[3]).toContain('height="0px" depth="0px"');
  expect(mathml[3]).toContain('width="+0.6em" lspace="0.3em"');
  // No length anywhere beyond the bounds.
  for (const output of mathml) {
    for (const [, value] of output.matchAll(/(?:width|height|depth|voffset|lspace|rspace)="(-?[\d.]+)em"/g)) {
      expect(Number(value)).toBeGreaterThanOrEqual(-1);
      expect(Number(value)).toBeLessThanOrEqual(10);
    }
  }
});

test('maths.render refuses oversized calls with messages that say the limit', async ({ api }) => {
  const { caller } = await api.signUp();
  const tooLong = await failureOf(
    caller.maths.render({ formulas: [{ tex: 'x'.repeat(MATHS_FORMULA_MAX_LENGTH + 1), display: false }] }),
  );
  expect(tooLong).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
  expect(tooLong.fieldErrors).toEqual({ 'formulas.0.tex': ['A formula must be at most 4000 characters'] });

  const tooMany = await failureOf(
    caller.maths.render({
      formulas: Array.from({ length: MATHS_MAX_FORMULAS + 1 }, () => ({ tex: 'x', display: false })),
    }),
  );
  expect(tooMany.fieldErrors).toEqual({ formulas: ['At most 200 formulas in one call'] });

  const formula = { tex: 'x'.repeat(MATHS_FORMULA_MAX_LENGTH), display: false };
  const tooMuch = await failureOf(
    caller.maths.render({
      formulas: Array.from({ length: MATHS_MAX_TOTAL_LENGTH / formula.tex.length + 1 }, () => formula),
    }),
  );
  expect(tooMuch.fieldErrors).toEqual({ formulas: ['At most 50,000 characters of TeX in one call'] });

  expect((await failureOf(caller.maths.render({ formulas: [] }))).fieldErrors).toEqual({
    formulas: ['Send at least one formula'],
  });
  expect((await failureOf(caller.maths.render({ formulas: [{ tex: '', display: true }] }))).fieldErrors).toEqual({
    'formulas.0.tex': ['A formula cannot be empty'],
  });
  // Exactly at the limits is accepted.
  const atLimit = Array.from({ length: MATHS_MAX_TOTAL_LENGTH / formula.tex.length }, () => formula);
  expect(await caller.maths.render({ formulas: atLimit })).toHaveLength(atLimit.length);
});

test('maths.render serves signed-in sessions only: signed out is UNAUTHORIZED, an access token FORBIDDEN', async ({
  api,
}) => {
  const input = { formulas: [{ tex: 'x', display: false }] };
  expect(await failureOf(api.caller().maths.render(input))).toMatchObject({
    code: 'UNAUTHORIZED',
    appCode: 'SESSION_EXPIRED',
  });
  const { caller } = await api.signUp();
  const { token } = await caller.tokens.create({ name: 'maths', scopes: ['read'], password: TEST_PASSWORD });
  expect(await failureOf(api.caller({ accessToken: token }).maths.render(input))).toMatchObject({
    code: 'FORBIDDEN',
    appCode: 'ACCESS_TOKEN_FORBIDDEN',
  });
});

/** A call of `count` distinct formulas of 2,000 characters each, all made of `letter`. */
const formulasOf = (letter: string, count = 25) =>
  Array.from({ length: count }, (_, i) => ({ tex: `${letter}_{${i}}`.padEnd(2_000, letter), display: false }));

test('case 115: each user may have 100,000 characters of new TeX typeset a minute; then TOO_MANY_REQUESTS with the wait', async ({
  api,
}) => {
  expect(api.config.rateLimits.mathsCharsPerUser).toEqual({ limit: 100_000, windowSeconds: 60 });
  api.freezeClock();
  try {
    const { caller } = await api.signUp();
    const call = (letter: string) => caller.maths.render({ formulas: formulasOf(letter) });
    await call('a');
    await call('b');
    const refused = await failureOf(call('c'));
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED', retryAfterSeconds: 60 });
    expect(refused.message).toBe(
      'Too many formulas to typeset: at most 100,000 characters of new TeX every 60 seconds. Try again in 60 seconds.',
    );
    // Formulas already typeset cost nothing, and another user has a budget of their own.
    expect(await call('a')).toHaveLength(25);
    expect(await (await api.signUp()).caller.maths.render({ formulas: [{ tex: 'c', display: false }] })).toHaveLength(
      1,
    );
    // A refused call typeset nothing and took nothing: once the window is over, it passes whole.
    expect(api.services.maths.uncachedChars(formulasOf('c'))).toBe(50_000);
    api.advanceClock(60);
    expect(await call('c')).toHaveLength(25);
  } finally {
    api.unfreezeClock();
    api.advanceClock(-60);
  }
});

test('case 115: calls at once cannot together pass the budget: of 10 calls of 20,000 new characters, 5 are typeset', async ({
  api,
}) => {
  const { caller } = await api.signUp();
  const letters = 'defghijklm'.split('');
  const outcomes = await Promise.all(
    letters.map((letter) =>
      caller.maths.render({ formulas: formulasOf(letter, 10) }).then(
        () => 'typeset',
        (error: unknown) => (error as { code?: string }).code,
      ),
    ),
  );
  expect(outcomes.filter((outcome) => outcome === 'typeset')).toHaveLength(5);
  expect(outcomes.filter((outcome) => outcome === 'TOO_MANY_REQUESTS')).toHaveLength(5);
  // What the cache holds is what was typeset: 100,000 characters, not one more.
  const typeset = letters.filter((letter) => api.services.maths.uncachedChars(formulasOf(letter, 10)) === 0);
  expect(typeset).toHaveLength(5);
});

test('case 115: hosts sharing the database share the budget; each host keeps its own cache', async ({ api }) => {
  const hostB = api.anotherHost();
  const { user, caller: onA } = await api.signUp();
  const onB = await hostB.callerFor(user);
  await onA.maths.render({ formulas: formulasOf('n') });
  await onB.maths.render({ formulas: formulasOf('o') });
  // 100,000 spent across the two hosts: a third call is refused on either.
  expect(await failureOf(onA.maths.render({ formulas: formulasOf('p') }))).toMatchObject({
    code: 'TOO_MANY_REQUESTS',
  });
  expect(await failureOf(onB.maths.render({ formulas: formulasOf('p') }))).toMatchObject({
    code: 'TOO_MANY_REQUESTS',
  });
  // What host A typeset is cached on A only: free there, charged (and refused) on B.
  expect(await onA.maths.render({ formulas: formulasOf('n') })).toHaveLength(25);
  expect(await failureOf(onB.maths.render({ formulas: formulasOf('n') }))).toMatchObject({
    code: 'TOO_MANY_REQUESTS',
  });
});

test('the typesetter remembers results up to its bound of characters, least recently used out first', () => {
  const [probe, probeDisplay] = new MathsTypesetter().render([
    { tex: 'a', display: false },
    { tex: 'a', display: true },
  ]);
  // The same TeX in block layout is another formula.
  expect(probeDisplay).not.toEqual(probe);
  const entryChars = 2 + ('mathml' in probe! ? probe.mathml.length : 0);
  const typesetter = new MathsTypesetter({ cacheChars: 3 * entryChars });
  const one = (tex: string, display = false) => typesetter.render([{ tex, display }])[0];
  const a = one('a');
  one('b');
  one('c');
  expect(typesetter.cacheSize.entries).toBe(3);
  // A hit is served from the cache (the very same object) and becomes the most recently used.
  expect(one('a')).toBe(a);
  one('d');
  expect(typesetter.cacheSize).toEqual({ entries: 3, chars: 3 * entryChars });
  expect(one('a')).toBe(a);
  // A result of more than 64 K characters is not kept: 1,500 array cells make about 120 KB.
  const cells = Array.from({ length: 150 }, () => Array(10).fill('a').join('&')).join('\\\\');
  const array = `\\begin{array}{cccccccccc}${cells}\\end{array}`;
  const big = one(array);
  expect(big && 'mathml' in big ? big.mathml.length : 0).toBeGreaterThan(64 * 1024);
  expect(one(array)).not.toBe(big);
  expect(typesetter.cacheSize).toEqual({ entries: 3, chars: 3 * entryChars });
});
