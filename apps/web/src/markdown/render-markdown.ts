import DOMPurify from 'dompurify';
import { Marked } from 'marked';

/*
 * Model output is untrusted: a model can be prompted (by a pasted document, a web page it read)
 * into emitting HTML. marked turns markdown into HTML and passes raw HTML through untouched, so
 * everything it produces is sanitised before it reaches the DOM. An XSS here would read the
 * in-memory access token, which is the whole session.
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    // The page's CSP only allows same-origin and data: images, so a model's image could only
    // ever be broken — or a request to our own origin. It becomes a link to open instead.
    image: ({ href, text }) => `<a href="${escapeHtml(href)}">${escapeHtml(text || 'image')}</a>`,
  },
});

// A private instance, so the hook below cannot leak into (or be altered by) other users of the
// global DOMPurify.
const purify = DOMPurify(window);

purify.addHook('afterSanitizeAttributes', (node) => {
  // Links open in a new tab and give the target page no handle on this one.
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

const SANITIZE_OPTIONS = {
  USE_PROFILES: { html: true },
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
  FORBID_ATTR: ['style', 'class', 'id'],
  ADD_ATTR: ['target'],
  ALLOW_DATA_ATTR: false,
};

/** Markdown → sanitised HTML, safe to assign to `innerHTML`. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source) as string;
  return purify.sanitize(html, SANITIZE_OPTIONS);
}
