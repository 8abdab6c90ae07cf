import katex from 'katex';
import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ApiConfig } from '../config.js';
import { appError } from '../errors.js';
import type { Clock } from '../ports.js';
import { takeFromRateLimit } from '../shared/rate-limit.repository.js';

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
}

// A result larger than this is typeset each time rather than cached: 1,500 array cells make
// 120 KB of MathML from 3,000 characters of TeX, and would crowd everything else out.
const MAX_CACHED_CHARS = 64 * 1024;

/**
 * Typesets formulas, remembering recent results up to `cacheChars`: a conversation's formulas are
 * asked for again on every reload and by every reader. Map keeps insertion order, so re-inserting
 * on a hit makes the first key the least recently used one. It keeps no budget: `renderMaths`
 * charges the user first, in the database every host shares.
 */
export class MathsTypesetter {
  private readonly cache = new Map<string, TypesetFormula>();
  private cachedChars = 0;
  private readonly cacheChars: number;

  constructor(options: MathsTypesetterOptions = {}) {
    this.cacheChars = options.cacheChars ?? 8_000_000;
  }

  /** Each formula's result, in order. */
  render(formulas: readonly Formula[]): TypesetFormula[] {
    return formulas.map((formula) => this.renderOne(formula));
  }

  /** Characters of TeX that `render` would typeset rather than find cached (a formula repeated counts once). */
  uncachedChars(formulas: readonly Formula[]): number {
    const misses = new Map<string, number>();
    for (const formula of formulas) {
      if (!this.cache.has(keyOf(formula))) misses.set(keyOf(formula), formula.tex.length);
    }
    return [...misses.values()].reduce((sum, chars) => sum + chars, 0);
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

/**
 * `maths.render`: each formula's result, after charging the user for the TeX not cached on this
 * host. KaTeX runs on the event loop, at up to ~7 µs a character of TeX (an array of 1,500
 * cells: 350 ms for a call of 50,000 characters), so each user has a budget of characters a
 * window (`rateLimits.mathsCharsPerUser`). It is a counter in the database, so hosts sharing it
 * share one budget and calls at once cannot together pass it; past it the call is
 * TOO_MANY_REQUESTS with the wait and typesets nothing. (A fixed window: at a window's edge a
 * user may have up to twice the limit typeset in a short while, still bounded.)
 */
export async function renderMaths(
  deps: { db: Kysely<Database>; now: Clock; config: Pick<ApiConfig, 'rateLimits'>; typesetter: MathsTypesetter },
  userId: string,
  formulas: readonly Formula[],
): Promise<TypesetFormula[]> {
  const chars = deps.typesetter.uncachedChars(formulas);
  if (chars > 0) {
    const rule = deps.config.rateLimits.mathsCharsPerUser;
    const taken = await takeFromRateLimit(deps.db, `maths-chars:user:${userId}`, rule, chars, deps.now());
    if (!taken.allowed) {
      throw appError(
        'TOO_MANY_REQUESTS',
        'RATE_LIMITED',
        `Too many formulas to typeset: at most ${rule.limit.toLocaleString('en')} characters of new TeX every ${rule.windowSeconds} seconds. Try again in ${taken.retryAfterSeconds} seconds.`,
        { retryAfterSeconds: taken.retryAfterSeconds },
      );
    }
  }
  // A formula counted as cached may have been pushed out meanwhile by other calls; it is then
  // typeset uncharged, which the cache's size bounds (its least recent entries go first).
  return deps.typesetter.render(formulas);
}
