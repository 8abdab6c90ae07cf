import { stripThinking } from '../thinking.js';

/**
 * Reads a reviewer's ranking, and refuses to guess. Only an explicit ranking counts: a list, chain
 * or table after the last line-anchored `FINAL RANKING` header, or a JSON `ranking` array. Labels
 * mentioned in prose are never turned into a ranking, and where two readings disagree the answer is
 * `ambiguous` rather than whichever came first.
 */

export type RankingStatus = 'ok' | 'partial' | 'ambiguous' | 'unreadable' | 'truncated';

export interface ParsedRanking {
  /** Shown labels, best first; empty unless the status is `ok` or `partial`. */
  ranking: string[];
  status: RankingStatus;
}

/** A reading that cannot be trusted (a tie, a duplicate, contradicting numbers). */
const ambiguous = Symbol('ambiguous');
type Reading = string[] | typeof ambiguous | undefined;

// "Response" in the usual casings, then uppercase letters or one lowercase letter: with a
// case-insensitive letter match, "response is good" would read as 'Response IS'.
const labelSource = String.raw`(?:response|Response|RESPONSE)[\s\u00a0]+([A-Z]{1,2}|[a-z])(?![\p{L}\p{N}])`;
const labelPattern = new RegExp(labelSource, 'gu');
const toLabel = (letters: string) => `Response ${letters.toUpperCase()}`;

// A header is a line that starts (after markdown) with "final ranking"; mid-sentence mentions are prose.
const headerPattern = /^[^\p{L}\p{N}\n]*final[ \t_*-]*ranking\b[^\n]*$/gimu;
// Item markers: "1.", "1)", "[1]", "#1:", "(1)", "- ", "* ", "• "; then bold/quotes; then the label.
const itemPattern = new RegExp(
  String.raw`^[ \t]*(?:[-*+•][ \t]+)?[*_]*[ \t]*(?:#?(\d{1,2})[ \t]*[.):\]]|\[(\d{1,2})\]|\((\d{1,2})\)|([-*+•]))?[ \t]*[*_"'\x60]*[ \t]*${labelSource}(.*)$`,
  'u',
);
const tiePattern = new RegExp(
  String.raw`^[*_"'\x60\s]*(?:=|/|&|,|\band\b|\bor\b|\btied?\b)[*_"'\x60\s]*${labelSource}`,
  'iu',
);
const chainSeparator = /^[\s*_"'\x60]*(>|→|->|⟶|=>|≫|<|≪|,|=|≈|~)[\s*_"'\x60]*$/u;
const descendingWords = /\b(worst|lowest|weakest)\b[^\n]*\b(best|highest|strongest)\b|\bascending\b/iu;

/**
 * A score written right after a label: "7/10", "8 out of 10", "(9/10)", "Score: 8.5". Fractions
 * are compared as fractions; a bare number counts only after "score", "rating" or "grade", or
 * alone on the line, so a reason such as "2 errors" is never read as one.
 */
function readScore(text: string): { value: number; isFraction: boolean } | undefined {
  const head = text.slice(0, 60);
  const fraction =
    /^[^\p{L}\d\n]*(?:(?:score|rating|grade)\b[^\p{L}\d\n]*)?(\d{1,3}(?:\.\d+)?)\s*(?:\/|out of)\s*(\d{1,3})\b/iu.exec(
      head,
    );
  if (fraction) return { value: Number(fraction[1]) / Number(fraction[2]), isFraction: true };
  const named =
    /^[^\p{L}\d\n]*(?:score|rating|grade)\b[^\p{L}\d\n]*(\d{1,3}(?:\.\d+)?)(?![\d/])/iu.exec(head) ??
    // A number alone after the label ("Response A: 7", "Response B — 9 points").
    /^[^\p{L}\d\n]*(\d{1,3}(?:\.\d+)?)[ \t]*(?:points?|pts)?[^\p{L}\p{N}]*$/iu.exec(head);
  return named ? { value: Number(named[1]), isFraction: false } : undefined;
}

/**
 * Labels ordered by their scores, best first. A tie, or scores on different scales, gives no
 * order (`ambiguous`, so the reviewer is asked for positions); the listing order is never used.
 */
function orderByScore(items: readonly { label: string; score: ReturnType<typeof readScore> }[]): Reading {
  const scored = items.map((i) => ({ label: i.label, score: i.score }));
  if (scored.some((i) => i.score === undefined)) return ambiguous;
  if (new Set(scored.map((i) => i.score?.isFraction)).size > 1) return ambiguous;
  const values = scored.map((i) => i.score?.value ?? 0);
  if (new Set(values).size !== values.length) return ambiguous;
  return [...scored].sort((a, b) => (b.score?.value ?? 0) - (a.score?.value ?? 0)).map((i) => i.label);
}

/**
 * `1. Response B`, `- **Response A** — reason`, `[2] Response C`; contiguous from the first item.
 * Without positions on every item, items that carry scores ("Response A: 7/10") are read by score.
 */
function readList(lines: string[]): Reading {
  const items: { rank: number | undefined; label: string; score: ReturnType<typeof readScore> }[] = [];
  for (const line of lines) {
    const match = itemPattern.exec(line);
    const rank = match?.[1] ?? match?.[2] ?? match?.[3];
    const rest = match?.[6] ?? '';
    // A bare label is an item only when followed by nothing or a reason, never a sentence.
    // Chains and ties on an unmarked line are left to `readChain`.
    const isItem = match && (rank !== undefined || match[4] || /^[*_"'\x60]*\s*(?:$|[-–—:(.](?!\s*>))/u.test(rest));
    if (match && isItem) {
      if (tiePattern.test(rest)) return ambiguous;
      items.push({
        rank: rank === undefined ? undefined : Number(rank),
        label: toLabel(match[5] ?? ''),
        score: readScore(rest.replace(/^[*_"'\x60]+/u, '')),
      });
    } else if (items.length > 0 && line.trim() !== '' && !/^\s{2,}/.test(line)) {
      break; // The list ended; indented lines and blank lines are part of it.
    }
  }
  if (items.length === 0) return undefined;
  const ranks = items.map((i) => i.rank);
  if (ranks.every((r) => r !== undefined)) {
    if (new Set(ranks).size !== ranks.length) return ambiguous; // "1. A / 1. B" is a tie.
    return [...items].sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0)).map((i) => i.label);
  }
  // Scores instead of positions: the order they are listed in says nothing (often label order).
  if (items.some((i) => i.score !== undefined)) return orderByScore(items);
  return items.map((i) => i.label);
}

/** `Response C > Response A > Response B` on one line; `<` chains are worst first. */
function readChain(line: string): Reading {
  const matches = Array.from(line.matchAll(labelPattern));
  if (matches.length < 2) return undefined;
  const before = line.slice(0, matches[0]?.index);
  if (!/^[\s*_"'\x60:>#-]*$/u.test(before.replace(/^[^\p{L}\p{N}\n]*final[ \t_*-]*ranking\b[^:]*:?/iu, '')))
    return undefined;
  const separators = new Set<string>();
  for (let i = 1; i < matches.length; i++) {
    const prev = matches[i - 1] as RegExpExecArray;
    const between = line.slice(prev.index + prev[0].length, matches[i]?.index);
    const separator = chainSeparator.exec(between)?.[1];
    if (separator === undefined) return undefined;
    separators.add(separator);
  }
  if (['=', '≈', '~'].some((s) => separators.has(s))) return ambiguous;
  const isWorstFirst = separators.has('<') || separators.has('≪');
  if (isWorstFirst && separators.size > (separators.has('<') && separators.has('≪') ? 2 : 1)) return ambiguous;
  const labels = matches.map((m) => toLabel(m[1] ?? ''));
  return isWorstFirst ? labels.reverse() : labels;
}

/** A markdown table with a rank column: `| 1 | Response B | … |`. */
function readTable(lines: string[]): Reading {
  const rows = lines
    .filter((l) => l.trim().startsWith('|'))
    .map((l) =>
      l
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|'),
    );
  const header = rows[0];
  const rankColumn = header?.findIndex((cell) => /\b(rank|place|position)\b|^\s*#\s*$/iu.test(cell)) ?? -1;
  if (rankColumn < 0) return readScoreTable(rows);
  const items: { rank: number; label: string }[] = [];
  for (const row of rows.slice(1)) {
    if (row.every((cell) => /^[\s:-]*$/.test(cell))) continue; // The |---| separator row.
    const rank = /\d+/.exec(row[rankColumn] ?? '')?.[0];
    const label = row.map((cell) => new RegExp(labelSource, 'u').exec(cell)?.[1]).find((l) => l !== undefined);
    if (rank === undefined || label === undefined) return ambiguous;
    items.push({ rank: Number(rank), label: toLabel(label) });
  }
  if (items.length === 0) return undefined;
  if (new Set(items.map((i) => i.rank)).size !== items.length) return ambiguous;
  return items.sort((a, b) => a.rank - b.rank).map((i) => i.label);
}

/** A table with a score column and no rank column: read by score, like a scored list. */
function readScoreTable(rows: string[][]): Reading {
  const scoreColumn = rows[0]?.findIndex((cell) => /\b(score|rating|grade|points)\b/iu.test(cell)) ?? -1;
  if (scoreColumn < 0) return undefined;
  const items: { label: string; score: ReturnType<typeof readScore> }[] = [];
  for (const row of rows.slice(1)) {
    if (row.every((cell) => /^[\s:-]*$/.test(cell))) continue;
    const label = row.map((cell) => new RegExp(labelSource, 'u').exec(cell)?.[1]).find((l) => l !== undefined);
    if (label === undefined) return ambiguous;
    const cell = (row[scoreColumn] ?? '').trim();
    items.push({ label: toLabel(label), score: readScore(cell) ?? readScore(`score ${cell}`) });
  }
  return items.length === 0 ? undefined : orderByScore(items);
}

/** The last `"ranking": [...]` array in the text. */
function readJson(text: string): Reading {
  const found = Array.from(text.matchAll(/"ranking"\s*:\s*(\[[^\]]*\])/giu)).pop();
  if (!found) return undefined;
  try {
    const value: unknown = JSON.parse(found[1] ?? '');
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return ambiguous;
    const labels = value.map((v) => new RegExp(`^\\s*${labelSource}\\s*$`, 'u').exec(v)?.[1]);
    return labels.every((l) => l !== undefined) ? labels.map((l) => toLabel(l)) : ambiguous;
  } catch {
    return ambiguous; // Broken JSON: the reviewer meant something, but we cannot tell what.
  }
}

/** The readings of the text after the last header (the header line itself may carry a chain). */
function readSection(text: string): Reading[] {
  const headers = Array.from(text.matchAll(headerPattern));
  const last = headers.pop();
  if (!last) return [];
  if (descendingWords.test(last[0])) return [ambiguous];
  // Quote-block markers are dropped so a ranking inside `> …` reads like any other.
  const lines = text
    .slice(last.index)
    .split('\n')
    .map((line) => line.replace(/^[ \t]*>[ \t]?/, ''));
  const firstContent = lines.slice(1).find((l) => l.trim() !== '');
  const chain = readChain(lines[0] ?? '') ?? (firstContent === undefined ? undefined : readChain(firstContent));
  return [chain, readList(lines.slice(1)), readTable(lines.slice(1))];
}

/**
 * Reads the ranking among `shown` labels, best first. Unknown labels are dropped; a label given
 * twice, a tie, or two readings that disagree make it `ambiguous`. A reply cut off by the length
 * limit (`finishReason: 'length'`) is `truncated`, however complete its list looks.
 *
 * @example readRanking('…\nFINAL RANKING:\n1. Response B\n2. Response A', ['Response A', 'Response B'])
 * // { ranking: ['Response B', 'Response A'], status: 'ok' }
 */
export function readRanking(
  text: string,
  shown: readonly string[],
  options: { finishReason?: string | null } = {},
): ParsedRanking {
  if (options.finishReason === 'length') return { ranking: [], status: 'truncated' };
  // NFKC folds full-width letters and digits ("Ｒｅｓｐｏｎｓｅ Ａ") into ASCII.
  const clean = stripThinking(text.normalize('NFKC'));
  const readings = [...readSection(clean), readJson(clean)].filter((r) => r !== undefined);
  if (readings.length === 0) return { ranking: [], status: 'unreadable' };
  if (readings.includes(ambiguous)) return { ranking: [], status: 'ambiguous' };
  const allowed = new Set(shown);
  const filtered = (readings as string[][]).map((r) => r.filter((label) => allowed.has(label)));
  const first = filtered[0] ?? [];
  if (filtered.some((r) => r.join('|') !== first.join('|'))) return { ranking: [], status: 'ambiguous' };
  if (new Set(first).size !== first.length) return { ranking: [], status: 'ambiguous' };
  if (first.length === 0) return { ranking: [], status: 'unreadable' };
  return { ranking: first, status: first.length === allowed.size ? 'ok' : 'partial' };
}
