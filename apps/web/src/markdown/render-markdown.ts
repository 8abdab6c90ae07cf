import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { grammarFor, highlightIfLoaded, loadGrammar } from './highlight-code';
import { mathExtension, typesetFormulas, type Formula, type Typeset } from './math';
import { escapeHtml } from '../ui/escape-html';

/*
 * Model output is untrusted: a model can be prompted (by a pasted document, a web page it read)
 * into emitting HTML. marked turns markdown into HTML and passes raw HTML through untouched, so
 * everything it produces is sanitised before it reaches the DOM. An XSS here would read the
 * in-memory session token, which is the whole session.
 */

// What the answer being rendered needs that has not loaded yet (set during one `parse`): grammars
// to load, and formulas whose MathML the server has not sent yet.
let missing: Promise<void>[] = [];
let unknownFormulas: Formula[] = [];

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
  mathExtension((formula) => unknownFormulas.push(formula)),
);

// A private instance, so the hook below cannot leak into (or be altered by) other users of the
// global DOMPurify.
const purify = DOMPurify(window);

/*
 * `class` is allowed only with the values our own highlighter writes (`hljs-keyword`, `title_`,
 * `language-ts`…): colours, nothing a model could use to pose as our UI (`final-answer`,
 * `sr-only`, `button`). (The server sends maths as bare <math>, without KaTeX's classes.)
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
  // MathML for the formulas the server typesets (MathML Core: layout only, no scripts or links).
  // It is sanitised here like the rest: the client trusts the server's MathML no more than the model's.
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

/** Markdown → sanitised HTML, safe to assign to `innerHTML` (formulas not typeset yet show as source). */
export function renderMarkdown(source: string): string {
  return renderMarkdownAndMissing(source).html;
}

/**
 * Markdown → sanitised HTML, and — when the text has code whose highlighter has not loaded yet, or
 * formulas whose MathML has not arrived — a promise that resolves once they have (render again
 * then; until then code shows plain and formulas as their source). Formulas are asked for with
 * `typeset`, all of one pass in one batched call; without it they stay as source.
 */
export function renderMarkdownAndMissing(
  source: string,
  typeset?: Typeset,
): { html: string; missing: Promise<void> | undefined } {
  missing = [];
  unknownFormulas = [];
  const html = purify.sanitize(marked.parse(source) as string, SANITIZE_OPTIONS);
  if (typeset && unknownFormulas.length > 0) missing.push(typesetFormulas(unknownFormulas, typeset));
  const pending = missing;
  missing = [];
  unknownFormulas = [];
  return { html, missing: pending.length > 0 ? Promise.all(pending).then(() => undefined) : undefined };
}
