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
  return { mathml: `<math${parts[1]}>${parts[2]}</math>` };
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
