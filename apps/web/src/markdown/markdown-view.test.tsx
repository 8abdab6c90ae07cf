import { fireEvent, screen, waitFor } from '@solidjs/testing-library';
import { createSignal, type JSX } from 'solid-js';
import { expect, test, vi } from 'vitest';
import { MarkdownView, loadMarkdownRenderer } from './markdown-view';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { mathsRenderHandler } from '../testing/maths-server';
import { renderWithClient } from '../testing/render';
import { renderMarkdown } from './render-markdown';

// The views ask the server (a fake network answering with the server's own KaTeX typesetter) for
// their formulas' MathML. Formulas are cached for the page, so each test uses formulas of its own.
function serverWith(mathsRender: FakeHandler = mathsRenderHandler()) {
  return fakeTrpcServer({ 'maths.render': mathsRender });
}
const render = (ui: () => JSX.Element, server = serverWith()) => renderWithClient(ui, clientFor(server));
const mathsCalls = (server: ReturnType<typeof serverWith>) =>
  server.calls.filter((call) => call.path === 'maths.render').map((call) => call.input);

// Security case 41: model output is untrusted; nothing in it may run.
const HOSTILE = [
  'Here you go <img src=x onerror="window.__pwned = 1">',
  '<script>window.__pwned = 2</script>',
  '<svg><script>window.__pwned = 3</script></svg>',
  '[click me](javascript:window.__pwned=4)',
  '<a href="javascript:window.__pwned=5">link</a>',
  '<iframe src="javascript:window.__pwned=6"></iframe>',
  '<div style="position:fixed;inset:0" onclick="window.__pwned=7" class="final-answer">spoof</div>',
  '<form action="https://evil.example"><input name="password"></form>',
].join('\n\n');

test('hostile model output renders inert: no scripts, no event handlers, no javascript: URLs, no forms', async () => {
  await loadMarkdownRenderer();
  const { container } = render(() => <MarkdownView source={HOSTILE} />);
  const root = container.querySelector('.markdown') as HTMLElement;
  await waitFor(() => expect(root.classList.contains('is-plain')).toBe(false));

  expect(root.querySelector('script, iframe, form, input, style, img')).toBeNull();
  for (const element of Array.from(root.querySelectorAll('*'))) {
    for (const attribute of Array.from(element.attributes)) {
      expect(attribute.name.startsWith('on'), `${element.tagName} has ${attribute.name}`).toBe(false);
      expect(attribute.name).not.toBe('style');
      expect(attribute.name).not.toBe('class');
      expect(attribute.value.toLowerCase()).not.toContain('javascript:');
    }
  }
  // The harmless parts survive: the prose and the link texts.
  expect(root.textContent).toContain('Here you go');
  expect(root.textContent).toContain('click me');
  expect((window as { __pwned?: number }).__pwned).toBeUndefined();
});

test('markdown becomes HTML, and links open in a new tab without an opener', () => {
  const html = renderMarkdown('# Title\n\n**bold** and [docs](https://example.com)\n\n| a | b |\n|---|---|\n| 1 | 2 |');
  const doc = new DOMParser().parseFromString(html, 'text/html');

  expect(doc.querySelector('h1')?.textContent).toBe('Title');
  expect(doc.querySelector('strong')?.textContent).toBe('bold');
  expect(doc.querySelector('table td')?.textContent).toBe('1');
  const link = doc.querySelector('a');
  expect(link?.getAttribute('target')).toBe('_blank');
  expect(link?.getAttribute('rel')).toBe('noopener noreferrer nofollow');
});

test('code blocks get a copy button that copies the code', async () => {
  const writeText = vi.fn(() => Promise.resolve());
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  render(() => <MarkdownView source={'Run:\n\n```sh\npnpm test\n```'} />);

  const button = await screen.findByRole('button', { name: /copy code/i });
  fireEvent.click(button);
  await waitFor(() => expect(button.textContent).toBe('Copied'));
  expect(writeText).toHaveBeenCalledWith('pnpm test\n');
});

test('a markdown image becomes a link to it (images could only be broken under our CSP)', () => {
  expect(renderMarkdown('![a chart](https://example.com/c.png)')).toBe(
    '<p><a href="https://example.com/c.png" target="_blank" rel="noopener noreferrer nofollow">a chart</a></p>\n',
  );
  expect(renderMarkdown('![x](javascript:alert(1))')).not.toContain('javascript:');
});

test('harmless inline HTML in an answer survives sanitising', () => {
  expect(renderMarkdown('Use <kbd>Ctrl</kbd> and <b>x</b>')).toBe('<p>Use <kbd>Ctrl</kbd> and <b>x</b></p>\n');
});

test('a fenced code block is highlighted once its grammar has loaded; an unknown language stays plain', async () => {
  const { container } = render(() => (
    <MarkdownView source={'```python\ndef area(r):\n    return 3.14 * r ** 2\n```\n\n```brainfuck\n+++.\n```'} />
  ));
  await waitFor(() => expect(container.querySelector('.hljs-keyword')?.textContent).toBe('def'));
  expect(container.querySelector('code.language-python .hljs-number')?.textContent).toBe('3.14');
  // The copy button copies the code, not the markup around it.
  expect(container.querySelectorAll('pre')[0]?.textContent).toBe('def area(r):\n    return 3.14 * r ** 2\n');
  expect(container.querySelectorAll('pre')[1]?.querySelector('span')).toBeNull();
});

test('inline and display maths render as MathML; prices and unparsable TeX stay readable', async () => {
  const source =
    'Euler: $e^{i\\pi} + 1 = 0$ and \\(a^2\\).\n\n$$\\int_0^1 x\\,dx = \\frac{1}{2}$$\n\nIt costs $5 and $10. Broken: $\\frac{a$.';
  const server = serverWith();
  const { container } = render(() => <MarkdownView source={source} />, server);
  await waitFor(() => expect(container.querySelectorAll('math')).toHaveLength(3));
  const [inline, second, display] = Array.from(container.querySelectorAll('math'));
  expect(inline?.getAttribute('display')).toBeNull();
  expect(inline?.textContent).toContain('π');
  expect(second?.querySelector('msup')).not.toBeNull();
  expect(display?.getAttribute('display')).toBe('block');
  expect(display?.querySelector('mfrac')).not.toBeNull();
  expect(container.textContent).toContain('It costs $5 and $10.');
  // TeX the server cannot parse shows as its source, not as a parser's message.
  expect(Array.from(container.querySelectorAll('code'), (code) => code.textContent)).toContain('$\\frac{a$');
  expect(container.textContent).not.toContain('ParseError');
  // The TeX source is not repeated as text next to the formula, and no KaTeX class survives.
  expect(container.querySelector('annotation, semantics, math[class], math [class]')).toBeNull();
  // All four formulas went in one call; the render after it found them all cached.
  expect(mathsCalls(server)).toEqual([
    {
      formulas: [
        { tex: 'e^{i\\pi} + 1 = 0', display: false },
        { tex: 'a^2', display: false },
        { tex: '\\int_0^1 x\\,dx = \\frac{1}{2}', display: true },
        { tex: '\\frac{a', display: false },
      ],
    },
  ]);
});

test('a formula shows as its source until the server has typeset it', async () => {
  let answer: (() => void) | undefined;
  const typeset = mathsRenderHandler();
  const server = serverWith((input) => new Promise((resolve) => (answer = () => resolve(typeset(input)))));
  const { container } = render(() => <MarkdownView source={'Area: $\\pi r_{waiting}^2$.'} />, server);
  await waitFor(() => expect(answer).toBeDefined());
  expect(container.querySelector('math')).toBeNull();
  expect(container.querySelector('code')?.textContent).toBe('$\\pi r_{waiting}^2$');
  answer?.();
  await waitFor(() => expect(container.querySelector('math msubsup, math msup')).not.toBeNull());
  expect(container.querySelector('code')).toBeNull();
});

test('a streaming answer asks only for complete formulas it has not asked for, once for all its views', async () => {
  const server = serverWith();
  const [source, setSource] = createSignal('Let $x_{stream}$ be');
  const { container } = render(
    () => (
      <>
        <MarkdownView source={source()} isStreaming />
        <MarkdownView source={source()} />
      </>
    ),
    server,
  );
  await waitFor(() => expect(container.querySelectorAll('math')).toHaveLength(2));
  // The formula still being written is not a formula yet: it shows as text and is not sent.
  setSource('Let $x_{stream}$ be $y_{stream');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(container.textContent).toContain('$y_{stream');
  setSource('Let $x_{stream}$ be $y_{stream}$.\n\n$$x_{stream}$$');
  await waitFor(() => expect(container.querySelectorAll('math')).toHaveLength(6));
  // Two views, three passes: one call for the first formula, one for the two new ones.
  expect(mathsCalls(server)).toEqual([
    { formulas: [{ tex: 'x_{stream}', display: false }] },
    {
      formulas: [
        { tex: 'y_{stream}', display: false },
        { tex: 'x_{stream}', display: true },
      ],
    },
  ]);
});

test('when the server cannot be reached, formulas stay readable as their source', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const server = serverWith(() => ({ error: { code: 'TOO_MANY_REQUESTS', message: 'Slow down' } }));
  const { container } = render(() => <MarkdownView source={'Then $z_{unreachable}$ holds.'} />, server);
  await waitFor(() => expect(warn).toHaveBeenCalled());
  expect(container.querySelector('code')?.textContent).toBe('$z_{unreachable}$');
  expect(container.querySelector('math')).toBeNull();
  warn.mockRestore();
});

// Security case 115, the client's half: the server's MathML goes through the same DOMPurify policy.
test('a model cannot borrow our classes or smuggle markup through code and maths', async () => {
  const source = [
    '<span class="final-answer sr-only">spoof</span> <span class="hljs-keyword">ok</span>',
    '```js\n</code></pre><img src=x onerror="window.__pwned=8">\n```',
    '$\\href{javascript:window.__pwned=9}{x}$ and $<img src=x onerror=alert(1)>$',
  ].join('\n\n');
  const { container } = render(() => <MarkdownView source={source} />);
  await waitFor(() => expect(container.querySelector('code.language-javascript span')).not.toBeNull());
  await waitFor(() => expect(container.querySelector('math')).not.toBeNull());
  expect(container.querySelector('img, [onerror], a[href^="javascript"]')).toBeNull();
  expect(container.querySelector('.final-answer, .sr-only')).toBeNull();
  // Our own token colours are harmless and kept.
  expect(container.querySelector('span.hljs-keyword')?.textContent).toBe('ok');
  expect((window as { __pwned?: number }).__pwned).toBeUndefined();
});
