import type Temml from 'temml';
import type { MarkedExtension, Tokens } from 'marked';

/*
 * TeX maths in model answers: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` on their own. Temml
 * (KaTeX's parser, MathML output only: two thirds of KaTeX's size) loads on the first formula met;
 * the browser lays the MathML out (no fonts, no stylesheet, no inline styles for the sanitiser to
 * strip). Until it has loaded, and when it cannot parse one, a formula shows as its source.
 */

type RenderToString = (typeof Temml)['renderToString'];

let renderTex: RenderToString | undefined;
let loading: Promise<void> | undefined;

/** Loads Temml once; resolves when formulas render. */
export function loadMath(): Promise<void> {
  // The package's ES sources, not its dist/temml.mjs, which bundles the mhchem extension (\ce,
  // about 10 KB gzipped) in: chemistry notation shows as source, as it did with KaTeX.
  loading ??= import('temml/temml.js').then((module) => {
    renderTex = module.default.renderToString;
  });
  return loading;
}

export const isMathLoaded = () => renderTex !== undefined;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function formulaSource(tex: string, displayMode: boolean): string {
  const source = escapeHtml(displayMode ? `$$${tex}$$` : `$${tex}$`);
  return displayMode ? `<p><code>${source}</code></p>` : `<code>${source}</code>`;
}

/** MathML for one formula, or its escaped source while Temml is not loaded or cannot parse it. */
export function renderFormula(tex: string, displayMode: boolean): string {
  if (!renderTex) return formulaSource(tex, displayMode);
  try {
    return renderTex(tex, {
      displayMode,
      // A formula Temml cannot parse throws, and shows as its source (not a parser message).
      throwOnError: true,
      // No \href, \url or \includegraphics from a model: `trust: false` is the safe mode.
      trust: false,
      strict: false,
      maxExpand: 500,
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'ParseError') return formulaSource(tex, displayMode);
    throw error;
  }
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
