import { MATHS_FORMULA_MAX_LENGTH, MATHS_MAX_FORMULAS, MATHS_MAX_TOTAL_LENGTH } from '@llm-council/sdk';
import type { MarkedExtension, Tokens } from 'marked';
import { escapeHtml } from '../ui/escape-html';

/*
 * TeX maths in model answers: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` on their own. The
 * server typesets it (KaTeX, MathML output: `maths.render`), so the browser downloads no TeX
 * converter — Temml, the smallest, was 49 KB gzipped, which put a conversation with code and maths
 * past its 110 KB budget. The browser lays the MathML out (no fonts, no stylesheet). A formula shows
 * as its source until its MathML has arrived, and for good when the server cannot parse it.
 */

export interface Formula {
  tex: string;
  display: boolean;
}
export type TypesetFormula = { mathml: string } | { error: 'parse' };
/** Asks the server for formulas' MathML (`client.maths.render.query`), in the order given. */
export type Typeset = (formulas: Formula[]) => Promise<TypesetFormula[]>;

const keyOf = (formula: Formula) => `${formula.display ? 'D' : 'I'}${formula.tex}`;

/*
 * Results by formula, for the whole page: an answer is rendered again on every streamed chunk and
 * by every view showing it, and each pass must find the formulas it has already seen. Bounded
 * (oldest first) so a long session's formulas do not pile up.
 */
const CACHE_ENTRIES = 2_000;
const typeset = new Map<string, TypesetFormula>();
// Formulas asked for and not yet answered: a second view (or chunk) waits for the same request.
const inFlight = new Map<string, Promise<void>>();

function remember(formula: Formula, result: TypesetFormula): void {
  const key = keyOf(formula);
  typeset.delete(key);
  typeset.set(key, result);
  if (typeset.size > CACHE_ENTRIES) typeset.delete(typeset.keys().next().value as string);
}

/** Whether the server could take this formula at all; one it could not shows as its source. */
const isSendable = (tex: string) => tex.length > 0 && tex.length <= MATHS_FORMULA_MAX_LENGTH && !tex.includes('\0');

/** Calls of at most MATHS_MAX_FORMULAS formulas and MATHS_MAX_TOTAL_LENGTH characters each. */
function intoCalls(formulas: Formula[]): Formula[][] {
  const calls: Formula[][] = [];
  let current: Formula[] = [];
  let length = 0;
  for (const formula of formulas) {
    if (current.length === MATHS_MAX_FORMULAS || length + formula.tex.length > MATHS_MAX_TOTAL_LENGTH) {
      calls.push(current);
      current = [];
      length = 0;
    }
    current.push(formula);
    length += formula.tex.length;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/**
 * Resolves once every formula of `formulas` has its result cached. Only formulas neither cached
 * nor already asked for are sent; the calls are made in one go, so the SDK's batch link sends
 * them as one request. A failed request leaves its formulas unknown (shown as source), to be
 * asked for again by a later render.
 */
export function typesetFormulas(formulas: Formula[], send: Typeset): Promise<void> {
  const waits = new Set<Promise<void>>();
  const toSend = new Map<string, Formula>();
  for (const formula of formulas) {
    const key = keyOf(formula);
    if (typeset.has(key)) continue;
    const pending = inFlight.get(key);
    if (pending) waits.add(pending);
    else if (!isSendable(formula.tex)) remember(formula, { error: 'parse' });
    else toSend.set(key, formula);
  }
  for (const call of intoCalls([...toSend.values()])) {
    // Every formula sent gets a result, so the render that follows never asks for it again.
    const request = send(call).then((results) => {
      call.forEach((formula, index) => remember(formula, results[index] ?? { error: 'parse' }));
    });
    const settled = request.finally(() => call.forEach((formula) => inFlight.delete(keyOf(formula))));
    for (const formula of call) inFlight.set(keyOf(formula), settled);
    waits.add(settled);
  }
  return Promise.all(waits).then(() => undefined);
}

function formulaSource(tex: string, displayMode: boolean): string {
  const source = escapeHtml(displayMode ? `$$${tex}$$` : `$${tex}$`);
  return displayMode ? `<p><code>${source}</code></p>` : `<code>${source}</code>`;
}

/** The formula's MathML once the server has sent it, else its escaped source. */
export function renderFormula(tex: string, displayMode: boolean): string {
  const result = typeset.get(keyOf({ tex, display: displayMode }));
  return result && 'mathml' in result ? result.mathml : formulaSource(tex, displayMode);
}

interface MathToken extends Tokens.Generic {
  type: 'math';
  text: string;
  displayMode: boolean;
}

// `$$…$$` or `\[…\]` as a block of its own.
const BLOCK = /^(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\])[ \t]*(?:\n|$)/;
// `$…$` (no space just inside the dollars, no digit right after: "$5 and $10" stays text), `\(…\)`,
// or `$$…$$` inside a sentence. A formula still streaming (no closing delimiter yet) is not one.
const INLINE = /^(?:\$\$([^$]+?)\$\$|\$(?![\s$])((?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)|\\\(([\s\S]+?)\\\))/;

/**
 * The marked extension that turns formulas into `math` tokens, rendered by `renderFormula`.
 * `onUnknown` hears of each formula whose result is not cached yet (to ask the server for it).
 */
export function mathExtension(onUnknown: (formula: Formula) => void): MarkedExtension {
  const token = (raw: string, tex: string, displayMode: boolean): MathToken => ({
    type: 'math',
    raw,
    text: tex.trim(),
    displayMode,
  });
  const render = (t: Tokens.Generic) => {
    const math = t as MathToken;
    const formula = { tex: math.text, display: math.displayMode };
    if (!typeset.has(keyOf(formula))) onUnknown(formula);
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
