import katex from 'katex';

/*
 * TeX from model answers typeset as MathML here, so the browser downloads no TeX converter (KaTeX
 * or Temml cost the web client 49 KB gzipped, past the conversation budget of issue 19). The TeX is
 * untrusted (a model writes it, and a pasted document can steer the model): see security case 115.
 */

export interface Formula {
  tex: string;
  /** `$$…$$` / `\[…\]` on a line of its own (block layout) rather than inside a sentence. */
  display: boolean;
}

/** A formula's MathML, or `parse` when KaTeX cannot read it (the client then shows its source). */
export type TypesetFormula = { mathml: string } | { error: 'parse' };

const KATEX_OPTIONS = {
  // MathML alone: the browser lays it out with its own fonts, so no KaTeX stylesheet or font files.
  output: 'mathml',
  // A formula KaTeX cannot parse throws a ParseError, which becomes `{ error: 'parse' }`.
  throwOnError: true,
  // No \href, \url, \includegraphics or \htmlClass from a model: they render as the command's
  // name in red, never as a link, an image or a class.
  trust: false,
  // Models write LaTeX that KaTeX only warns about (Unicode text in maths, \\ in inline maths).
  strict: false,
  // A macro that expands itself (\def\a{\a\a}\a) stops after 500 expansions instead of looping.
  maxExpand: 500,
  // \rule{1000em}{1000em} is capped at 10 em: no block of colour over the page.
  maxSize: 10,
} as const;

/*
 * Lengths KaTeX copies from the TeX into the MathML — \kern, \hspace, \mkern, \raisebox, a
 * rule's depth — are not capped by maxSize: `\kern-1000em` or `\raisebox{-100ex}` would move a
 * formula's glyphs over the page around it (over the sidebar, say, posing as our text). So every
 * length is kept within -1 em (TeX's own negative spaces, `\!` or `\mkern-18mu`, stay inside
 * that) and +10 em (as maxSize does for rules); one in a unit not listed becomes 0.
 */
const MIN_LENGTH_EM = -1;
const MAX_LENGTH_EM = KATEX_OPTIONS.maxSize;
// KaTeX's em is 10 pt, as in TeX's default size; the rest follow TeX's units.
const EMS_PER_UNIT: Record<string, number> = {
  em: 1,
  ex: 0.431,
  pt: 0.1,
  px: 1 / 16,
  mu: 1 / 18,
  bp: 0.1004,
  pc: 1.2,
  dd: 0.107,
  cc: 1.284,
  nd: 0.107,
  nc: 1.284,
  mm: 0.2845,
  cm: 2.845,
  in: 7.227,
  sp: 1 / 655_360,
};
const LENGTH_ATTRIBUTE = /\s(width|height|depth|voffset|lspace|rspace|minsize|maxsize)="([^"]*)"/g;

// Relative lengths KaTeX writes itself: `100%`, and MathML 3's `-1width` for \llap (which
// browsers following MathML Core ignore). Kept when no larger than KaTeX's own.
const RELATIVE_LIMITS: Record<string, number> = { '%': 100, width: 1, height: 1, depth: 1 };

function boundLength(value: string): string {
  const parts = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z%]*)$/.exec(value);
  if (!parts) return '0em';
  const [, number = '0', unit = ''] = parts;
  const relativeLimit = RELATIVE_LIMITS[unit];
  if (relativeLimit !== undefined) return Math.abs(Number(number)) <= relativeLimit ? value : '0em';
  const perUnit = EMS_PER_UNIT[unit || 'em'];
  if (perUnit === undefined) return '0em';
  const ems = Number(number) * perUnit;
  if (ems >= MIN_LENGTH_EM && ems <= MAX_LENGTH_EM) return value;
  return `${Math.min(Math.max(ems, MIN_LENGTH_EM), MAX_LENGTH_EM)}em`;
}

const boundLengths = (mathml: string) =>
  mathml.replace(LENGTH_ATTRIBUTE, (_, name: string, value: string) => ` ${name}="${boundLength(value)}"`);

// KaTeX's MathML output is `<span class="katex"><math …><semantics>BODY<annotation
// encoding="application/x-tex">TEX</annotation></semantics></math></span>`. The client's DOMPurify
// policy drops <semantics> and <annotation> but keeps their text, which would print the TeX next
// to the formula; the client has the TeX anyway. So only `<math …>BODY</math>` is sent.
const KATEX_MATHML =
  /^<span class="katex"><math([^>]*)><semantics>([\s\S]*)<annotation encoding="application\/x-tex">[^<]*<\/annotation><\/semantics><\/math><\/span>$/;

function typeset({ tex, display }: Formula): TypesetFormula {
  let html: string;
  try {
    html = katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode: display });
  } catch (error) {
    if (error instanceof katex.ParseError) return { error: 'parse' };
    throw error;
  }
  const parts = KATEX_MATHML.exec(html);
  // A KaTeX release that changes this shape must fail the tests, not leak TeX as text.
  if (!parts) throw new Error('KaTeX wrote MathML of an unexpected shape');
  return { mathml: `<math${parts[1]}>${boundLengths(parts[2] ?? '')}</math>` };
}

/**
 * Typesets formulas, remembering the latest `maxEntries` results: a conversation's formulas are
 * asked for again on every reload and by every reader, and KaTeX costs about 2 ms for a 4,000-char
 * formula. Map keeps insertion order, so re-inserting on a hit makes the first key the least
 * recently used one.
 */
export class MathsTypesetter {
  private readonly cache = new Map<string, TypesetFormula>();

  constructor(private readonly maxEntries = 5_000) {}

  render(formulas: readonly Formula[]): TypesetFormula[] {
    return formulas.map((formula) => this.renderOne(formula));
  }

  private renderOne(formula: Formula): TypesetFormula {
    const key = `${formula.display ? 'D' : 'I'}${formula.tex}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const result = typeset(formula);
    this.cache.set(key, result);
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    return result;
  }

  /** How many results are remembered (for tests of the bound). */
  get size(): number {
    return this.cache.size;
  }
}
