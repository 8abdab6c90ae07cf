import type { AggregateRanking } from './events.js';

/**
 * The anonymous label of the i-th answer (0-based): 'Response A' … 'Response Z', then
 * 'Response AA', 'Response AB', … like spreadsheet columns.
 */
export function labelFor(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `Response ${letters}`;
}

// "FINAL RANKING" with any case, spacing or markdown around it (`**Final Ranking:**`, `## FINAL RANKING`).
const headerPattern = /final[\s_*]+ranking/i;

// "Response" in the usual casings, then uppercase letters or one lowercase letter. The casing of the
// letters is deliberate: with a case-insensitive match "response is good" would read as 'Response IS'.
const labelSource = String.raw`(?:response|Response|RESPONSE)\s+([A-Z]{1,2}|[a-z])(?![\p{L}\p{N}])`;
const labelPattern = new RegExp(labelSource, 'gu');

// A numbered item: "1. Response A", "2) **Response B**", "#3: Response C", "**4.** Response D".
const numberedPattern = new RegExp(
  String.raw`(?:^|[\s*_#(|>])\d{1,3}\s*[.):\]–-]\s*[*_"'\x60]*\s*${labelSource}`,
  'gmu',
);

function collect(text: string, pattern: RegExp): string[] {
  return Array.from(text.matchAll(pattern), (match) => `Response ${(match[1] ?? '').toUpperCase()}`);
}

/**
 * Extracts a reviewer's ranking, best first, from free text. After the first `FINAL RANKING`
 * header it reads numbered `N. Response X` items in order, else every `Response X` in that
 * section; without a header, every `Response X` in the whole text. Labels are de-duplicated
 * (first mention wins) and, when `validLabels` is given, unknown labels are dropped.
 *
 * @example parseRanking('…\n**FINAL RANKING:**\n1. Response B\n2. Response A') // ['Response B', 'Response A']
 */
export function parseRanking(text: string, validLabels?: readonly string[]): string[] {
  // NFKC folds full-width letters and digits ("Ｒｅｓｐｏｎｓｅ Ａ") into ASCII.
  const normalized = text.normalize('NFKC');
  const header = headerPattern.exec(normalized);
  let labels: string[];
  if (header) {
    const section = normalized.slice(header.index + header[0].length);
    const numbered = collect(section, numberedPattern);
    labels = numbered.length > 0 ? numbered : collect(section, labelPattern);
  } else {
    labels = collect(normalized, labelPattern);
  }
  const allowed = validLabels ? new Set(validLabels) : undefined;
  return [...new Set(labels)].filter((label) => !allowed || allowed.has(label));
}

/**
 * The "street cred" table: each model's average 1-based position across all parsed rankings
 * (self-votes included, as in the original), rounded to 2 decimals, best (lowest) first.
 * Models nobody ranked are left out.
 */
export function aggregateRankings(
  rankings: readonly { reviewer: string; parsedRanking: readonly string[] }[],
  labelToModel: Readonly<Record<string, string>>,
): AggregateRanking[] {
  const positions = new Map<string, number[]>();
  for (const { parsedRanking } of rankings) {
    // Positions count only known labels, so a stray 'Response Z' does not push the rest down.
    const known = [...new Set(parsedRanking)].filter((label) => Object.hasOwn(labelToModel, label));
    known.forEach((label, index) => {
      const model = labelToModel[label] as string;
      const list = positions.get(model) ?? [];
      list.push(index + 1);
      positions.set(model, list);
    });
  }
  return Array.from(positions, ([model, ranks]) => ({
    model,
    averageRank: Math.round((ranks.reduce((sum, r) => sum + r, 0) / ranks.length) * 100) / 100,
    rankingsCount: ranks.length,
  })).sort((a, b) => a.averageRank - b.averageRank || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}
