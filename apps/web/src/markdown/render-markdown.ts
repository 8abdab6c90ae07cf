import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { grammarFor, highlightIfLoaded, loadGrammar } from './highlight-code';
import { isMathLoaded, loadMath, mathExtension } from './math';

/*
 * Model output is untrusted: a model can be prompted (by a pasted document, a web page it read)
 * into emitting HTML. marked turns markdown into HTML and passes raw HTML through untouched, so
 * everything it produces is sanitised before it reaches the DOM. An XSS here would read the
 * in-memory session token, which is the whole session.
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

// What the answer being rendered needs that has not loaded yet (set during one `parse`).
let missing: Promise<void>[] = [];

const marked = new Marked(
  {
    gfm: true,
    async: false,
    renderer: {
      // The page's CSP only allows same-origin and data: images, so a model's image could only
      // ever be broken — or a request to our own origin. It becomes a link to open instead.
      image: ({ href, text }) => `<a href="${escapeHtml(href)}">${escapeHtml(text || 'image')}</a>`,
      code: ({ text, lang }) => {
        const grammar = grammarFor(lang);
        const highlighted = grammar ? highlightIfLoaded(text, grammar) : undefined;
        if (grammar && highlighted === undefined) missing.push(loadGrammar(grammar));
        const body = highlighted ?? escapeHtml(text);
        return `<pre><code${grammar ? ` class="hljs language-${grammar}"` : ''}>${body}\n</code></pre>\n`;
      },
    },
  },
  mathExtension(() => {
    if (!isMathLoaded()) missing.push(loadMath());
  }),
);

// A private instance, so the hook below cannot leak into (or be altered by) other users of the
// global DOMPurify.
const purify = DOMPurify(window);

/*
 * `class` is allowed only with the values our own highlighter writes (`hljs-keyword`, `title_`,
 * `language-ts`…): colours, nothing a model could use to pose as our UI (`final-answer`,
 * `sr-only`, `button`). Temml's spacing classes need its stylesheet, which is not loaded: dropped.
 */
const OWN_CLASS = /^(?:hljs(?:-[a-z]+(?:-[a-z]+)*)?|[a-z]+_+|language-[a-z]+)$/;
purify.addHook('uponSanitizeAttribute', (_node, data) => {
  if (data.attrName === 'class') data.keepAttr = data.attrValue.split(/\s+/).every((name) => OWN_CLASS.test(name));
});

purify.addHook('afterSanitizeAttributes', (node) => {
  // Links open in a new tab and give the target page no handle on this one.
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

const SANITIZE_OPTIONS = {
  // MathML for Temml's formulas (MathML Core: layout only, no scripts or links).
  USE_PROFILES: { html: true, mathMl: true },
  // Forms, media and inline styles have no business in an answer (phishing, UI spoofing, requests
  // to our own origin, CSS exfiltration).
  FORBID_TAGS: [
    'style',
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'option',
    'iframe',
    'object',
    'embed',
    'img',
    'picture',
    'video',
    'audio',
    'source',
  ],
  FORBID_ATTR: ['style', 'id'],
  ADD_ATTR: ['target'],
  ALLOW_DATA_ATTR: false,
};

/** Markdown → sanitised HTML, safe to assign to `innerHTML`. */
export function renderMarkdown(source: string): string {
  return renderMarkdownAndMissing(source).html;
}

/**
 * Markdown → sanitised HTML, and — when the text has code or maths whose highlighter or Temml has
 * not loaded yet — a promise that resolves once they have (render again then; until then code
 * shows plain and formulas as their source).
 */
export function renderMarkdownAndMissing(source: string): { html: string; missing: Promise<void> | undefined } {
  missing = [];
  const html = purify.sanitize(marked.parse(source) as string, SANITIZE_OPTIONS);
  const pending = missing;
  missing = [];
  return { html, missing: pending.length > 0 ? Promise.all(pending).then(() => undefined) : undefined };
}
