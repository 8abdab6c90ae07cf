import katex from 'katex';
import { appError } from '../errors.js';

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

const keyOf = (formula: Formula) => `${formula.display ? 'D' : 'I'}${formula.tex}`;

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

export interface MathsTypesetterOptions {
  /** Characters of TeX and MathML the cache holds at most (a string char is about 2 bytes). */
  cacheChars?: number;
  /** Characters of TeX one user may have typeset per minute (cache hits are free); also the burst. */
  charsPerMinute?: number;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

// A result larger than this is typeset each time rather than cached: 1,500 array cells make
// 120 KB of MathML from 3,000 characters of TeX, and would crowd everything else out.
const MAX_CACHED_CHARS = 64 * 1024;
// Users whose budget is tracked before the full ones are forgotten.
const MAX_TRACKED_USERS = 10_000;

/**
 * Typesets formulas, remembering recent results up to `cacheChars`: a conversation's formulas are
 * asked for again on every reload and by every reader. Map keeps insertion order, so re-inserting
 * on a hit makes the first key the least recently used one.
 *
 * KaTeX runs on the event loop, at up to ~7 µs a character of TeX (an array of 1,500 cells: 350 ms
 * for a call of 50,000 characters), so each user has a budget of characters typeset per minute,
 * a token bucket on this host: past it the call is TOO_MANY_REQUESTS with the wait. One call's
 * worth (MATHS_MAX_TOTAL_LENGTH) always fits in a full bucket.
 */
export class MathsTypesetter {
  private readonly cache = new Map<string, TypesetFormula>();
  private cachedChars = 0;
  private readonly budgets = new Map<string, { chars: number; at: number }>();
  private readonly cacheChars: number;
  private readonly charsPerMinute: number;
  private readonly now: () => number;

  constructor(options: MathsTypesetterOptions = {}) {
    this.cacheChars = options.cacheChars ?? 8_000_000;
    this.charsPerMinute = options.charsPerMinute ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Each formula's result, in order; throws TOO_MANY_REQUESTS past the user's budget. */
  render(userId: string, formulas: readonly Formula[]): TypesetFormula[] {
    const misses = new Map<string, Formula>();
    for (const formula of formulas) if (!this.cache.has(keyOf(formula))) misses.set(keyOf(formula), formula);
    this.spend(
      userId,
      [...misses.values()].reduce((sum, formula) => sum + formula.tex.length, 0),
    );
    return formulas.map((formula) => this.renderOne(formula));
  }

  /** Takes `chars` from the user's bucket (refilled continuously), or refuses with the wait. */
  private spend(userId: string, chars: number): void {
    if (chars === 0) return;
    const now = this.now();
    const perMs = this.charsPerMinute / 60_000;
    const refill = (budget: { chars: number; at: number }) =>
      Math.min(this.charsPerMinute, budget.chars + (now - budget.at) * perMs);
    const budget = this.budgets.get(userId);
    const available = budget ? refill(budget) : this.charsPerMinute;
    if (chars > available) {
      const retryAfterSeconds = Math.ceil((chars - available) / perMs / 1000);
      throw appError(
        'TOO_MANY_REQUESTS',
        'RATE_LIMITED',
        `Too many formulas to typeset in a minute. Try again in ${retryAfterSeconds} seconds.`,
        { retryAfterSeconds },
      );
    }
    this.budgets.delete(userId);
    this.budgets.set(userId, { chars: available - chars, at: now });
    if (this.budgets.size > MAX_TRACKED_USERS) {
      // A full bucket is the same as none: forget those first, then the oldest.
      for (const [id, other] of this.budgets) if (refill(other) >= this.charsPerMinute) this.budgets.delete(id);
      if (this.budgets.size > MAX_TRACKED_USERS) this.budgets.delete(this.budgets.keys().next().value as string);
    }
  }

  private renderOne(formula: Formula): TypesetFormula {
    const key = keyOf(formula);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const result = typeset(formula);
    const chars = key.length + ('mathml' in result ? result.mathml.length : 0);
    if (chars > MAX_CACHED_CHARS) return result;
    this.cache.set(key, result);
    this.cachedChars += chars;
    while (this.cachedChars > this.cacheChars) {
      const [oldKey, old] = this.cache.entries().next().value as [string, TypesetFormula];
      this.cache.delete(oldKey);
      this.cachedChars -= oldKey.length + ('mathml' in old ? old.mathml.length : 0);
    }
    return result;
  }

  /** How many results are remembered, and their size in characters (for tests of the bound). */
  get cacheSize(): { entries: number; chars: number } {
    return { entries: this.cache.size, chars: this.cachedChars };
  }
}
