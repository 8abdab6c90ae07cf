import type { renderToString } from 'katex';
import type { MarkedExtension, Tokens } from 'marked';

/*
 * TeX maths in model answers: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` on their own. KaTeX
 * loads on the first formula met and renders MathML only (the browser lays it out: no fonts, no
 * inline styles for the sanitiser to strip). Until it has loaded a formula shows as its source.
 */

type RenderToString = typeof renderToString;

let renderTex: RenderToString | undefined;
let loading: Promise<void> | undefined;

/** Loads KaTeX once; resolves when formulas render. */
export function loadMath(): Promise<void> {
  loading ??= import('katex').then((module) => {
    renderTex = module.renderToString;
  });
  return loading;
}

export const isMathLoaded = () => renderTex !== undefined;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** MathML for one formula, or its escaped source while KaTeX is not loaded yet. */
export function renderFormula(tex: string, displayMode: boolean): string {
  if (!renderTex) {
    const source = escapeHtml(displayMode ? `$$${tex}$$` : `$${tex}$`);
    return displayMode ? `<p><code>${source}</code></p>` : `<code>${source}</code>`;
  }
  const mathml = renderTex(tex, {
    displayMode,
    output: 'mathml',
    // A formula KaTeX cannot parse shows as its source (in a span the sanitiser keeps), not an error.
    throwOnError: false,
    // No \href, \url or \includegraphics from a model: `trust: false` is KaTeX's safe mode.
    trust: false,
    strict: 'ignore',
    maxExpand: 500,
  });
  // The TeX annotation is for copy-paste tools; the sanitiser has no place for it, so it goes here.
  return mathml.replace(/<annotation encoding="application\/x-tex">[\s\S]*?<\/annotation>/, '');
}

interface MathToken extends Tokens.Generic {
  type: 'math';
  text: string;
  displayMode: boolean;
}

// `$$…$$` or `\[…\]` as a block of its own.
const BLOCK = /^(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\])[ \t]*(?:\n|$)/;
// `$…$` (no space just inside the dollars, no digit right after: "$5 and $10" stays text), `\(…\)`,
// or `$$…$$` inside a sentence.
const INLINE = /^(?:\$\$([^$]+?)\$\$|\$(?![\s$])((?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)|\\\(([\s\S]+?)\\\))/;

/** The marked extension that turns formulas into `math` tokens (rendered by `renderFormula`). */
export function mathExtension(onFormula: () => void): MarkedExtension {
  const token = (raw: string, tex: string, displayMode: boolean): MathToken => ({
    type: 'math',
    raw,
    text: tex.trim(),
    displayMode,
  });
  const render = (t: Tokens.Generic) => {
    onFormula();
    const math = t as MathToken;
    return renderFormula(math.text, math.displayMode) + (math.displayMode ? '\n' : '');
  };
  return {
    extensions: [
      {
        name: 'mathBlock',
        level: 'block',
        start: (src) => src.match(/\$\$|\\\[/)?.index,
        tokenizer: (src) => {
          const match = BLOCK.exec(src);
          return match ? { ...token(match[0], match[1] ?? match[2] ?? '', true), type: 'mathBlock' } : undefined;
        },
        renderer: render,
      },
      {
        name: 'mathInline',
        level: 'inline',
        start: (src) => src.match(/\$|\\\(/)?.index,
        tokenizer: (src) => {
          const match = INLINE.exec(src);
          if (!match) return undefined;
          const isDisplay = match[1] !== undefined;
          return { ...token(match[0], match[1] ?? match[2] ?? match[3] ?? '', isDisplay), type: 'mathInline' };
        },
        renderer: render,
      },
    ],
  };
}
