import type { RankingStatus } from './parse-ranking.js';
import { scoreCases } from './ranking.corpus-scores.js';

/**
 * Review endings in the shapes models produce, with what a careful reader takes from each: the
 * ranking that should count (best first) and the status. `ranking.test.ts` requires every case to
 * be read exactly, so a reading that counts something the reader would not is a failing test.
 */
export interface CorpusCase {
  name: string;
  text: string;
  shown: string[];
  status: RankingStatus;
  ranking: string[];
  finishReason?: string;
}

const A = 'Response A';
const B = 'Response B';
const C = 'Response C';
const D = 'Response D';
const abc = [A, B, C];
const abcd = [A, B, C, D];

/** The critique part of a review, which mentions labels in an order that is not the ranking. */
const analysis = [
  `${A} is thorough but buries the answer. ${C} is concise. ${B} has a factual slip about the date.`,
  `**${B}**: clear, correct, a little long.\n\n**${A}**: misses the edge case.\n\n**${C}**: best example.`,
  `Strengths: ${D} and ${A} give code. Weaknesses: ${B} never answers the second part; ${C} is vague.`,
  `## Evaluation\n\n### ${A}\nSolid.\n\n### ${B}\nWeak.\n\n### ${C}\nGood.`,
];

const ok = (name: string, text: string, ranking: string[], shown = abc): CorpusCase => ({
  name,
  text,
  shown,
  status: 'ok',
  ranking,
});
const refused = (name: string, text: string, status: RankingStatus, shown = abc): CorpusCase => ({
  name,
  text,
  shown,
  status,
  ranking: [],
});

/** One case per list style, each after a different critique and with a different order. */
const listStyles: [string, (labels: string[]) => string][] = [
  ['numbered', (l) => l.map((x, i) => `${i + 1}. ${x}`).join('\n')],
  ['numbered with parenthesis', (l) => l.map((x, i) => `${i + 1}) ${x}`).join('\n')],
  ['bracketed numbers', (l) => l.map((x, i) => `[${i + 1}] ${x}`).join('\n')],
  ['bold items', (l) => l.map((x, i) => `${i + 1}. **${x}**`).join('\n')],
  ['bold numbers', (l) => l.map((x, i) => `**${i + 1}.** ${x}`).join('\n')],
  ['whole item bold', (l) => l.map((x, i) => `**${i + 1}. ${x}**`).join('\n')],
  ['hyphen bullets', (l) => l.map((x) => `- ${x}`).join('\n')],
  ['star bullets', (l) => l.map((x) => `* ${x}`).join('\n')],
  ['dot bullets', (l) => l.map((x) => `• ${x}`).join('\n')],
  ['hash numbers', (l) => l.map((x, i) => `#${i + 1}: ${x}`).join('\n')],
  ['bullets with hash numbers', (l) => l.map((x, i) => `- #${i + 1}: ${x}`).join('\n')],
  ['items with dash reasons', (l) => l.map((x, i) => `${i + 1}. ${x} - reason number ${i + 1}`).join('\n')],
  ['items with em-dash reasons', (l) => l.map((x, i) => `${i + 1}. ${x} — because of point ${i}`).join('\n')],
  ['items with colon reasons', (l) => l.map((x, i) => `${i + 1}. ${x}: see above (${i})`).join('\n')],
  ['blank lines between items', (l) => l.map((x, i) => `${i + 1}. ${x}`).join('\n\n')],
  ['indented notes under items', (l) => l.map((x, i) => `${i + 1}. ${x}\n   Short note on it.`).join('\n')],
  ['quoted labels', (l) => l.map((x, i) => `${i + 1}. "${x}"`).join('\n')],
  ['code-styled labels', (l) => l.map((x, i) => `${i + 1}. \`${x}\``).join('\n')],
  ['bare label lines', (l) => l.join('\n')],
  ['bold bare label lines', (l) => l.map((x) => `**${x}**`).join('\n')],
  ['arrow chain', (l) => l.join(' > ')],
  ['unicode arrow chain', (l) => l.join(' → ')],
  ['ascii arrow chain', (l) => l.join(' -> ')],
  ['less-than chain, worst first', (l) => [...l].reverse().join(' < ')],
  ['comma list', (l) => l.join(', ')],
  ['bold chain', (l) => l.map((x) => `**${x}**`).join(' > ')],
  [
    'table with a rank column',
    (l) => `| Rank | Response | Note |\n|---|---|---|\n${l.map((x, i) => `| ${i + 1} | ${x} | ok |`).join('\n')}`,
  ],
  ['table with # column', (l) => `| # | Answer |\n|:-:|---|\n${l.map((x, i) => `| ${i + 1} | ${x} |`).join('\n')}`],
];

const headers = ['FINAL RANKING:', '**FINAL RANKING:**', '## Final Ranking', 'Final ranking:', '### FINAL RANKING'];
const orders = [
  [C, A, B],
  [B, C, A, D],
  [A, B, C],
  [D, C, B, A],
  [B, A, C],
];

const styled: CorpusCase[] = listStyles.map(([style, render], i) => {
  const ranking = orders[i % orders.length] as string[];
  const shown = ranking.length === 4 ? abcd : abc;
  const header = headers[i % headers.length] as string;
  const isChain = /chain|comma/.test(style);
  const body = render(ranking);
  const ending = isChain && i % 2 === 0 ? `${header} ${body}` : `${header}\n${body}`;
  return ok(`${style} under "${header}"`, `${analysis[i % analysis.length]}\n\n${ending}`, ranking, shown);
});

const handWritten: CorpusCase[] = [
  ok('the requested format', `${analysis[0]}\n\nFINAL RANKING:\n1. ${B}\n2. ${A}\n3. ${C}`, [B, A, C]),
  ok(
    'trailing note mentions labels in another order',
    `FINAL RANKING:\n1. ${B}\n2. ${A}\n3. ${C}\n\nNote that ${C} could beat ${A} with sources.`,
    [B, A, C],
  ),
  ok('lowercase header and labels', 'final ranking:\n1. response c\n2. response a\n3. response b', [C, A, B]),
  ok(
    'prose says "final ranking" before the real header',
    `Before my final ranking, note that ${C} is weak.\n\nFINAL RANKING:\n1. ${A}\n2. ${B}\n3. ${C}`,
    [A, B, C],
  ),
  ok(
    'two ranking blocks: the last one counts',
    `FINAL RANKING:\n1. ${A}\n2. ${B}\n3. ${C}\n\nActually, ${C} handles the edge case.\n\nFINAL RANKING:\n1. ${C}\n2. ${A}\n3. ${B}`,
    [C, A, B],
  ),
  ok(
    'ranking before the analysis',
    `FINAL RANKING:\n1. ${B}\n2. ${C}\n3. ${A}\n\nWhy: ${A} is wrong, ${B} is right, ${C} is fine.`,
    [B, C, A],
  ),
  ok(
    'think block with a different draft ranking',
    `<think>\nFINAL RANKING:\n1. ${A}\n2. ${B}\n3. ${C}\n</think>\n${analysis[1]}\n\nFINAL RANKING:\n1. ${B}\n2. ${C}\n3. ${A}`,
    [B, C, A],
  ),
  ok('thinking tag variant', `<thinking>${C} first?</thinking>\nFINAL RANKING: ${A} > ${C} > ${B}`, [A, C, B]),
  ok(
    'full-width letters and non-breaking space',
    'ＦＩＮＡＬ ＲＡＮＫＩＮＧ：\n1.\u00a0Ｒｅｓｐｏｎｓｅ Ｂ\n2. Response\u00a0A\n3. Response C ✅',
    [B, A, C],
  ),
  ok('full-width digits and brackets', 'FINAL RANKING:\n１） Response C\n２） Response B\n３） Response A', [C, B, A]),
  ok('emoji before a header with a chain on it', `🏆 FINAL RANKING: ${B} > ${C} > ${A}`, [B, C, A]),
  ok('emoji around the header and items', `🏆 FINAL RANKING:\n1. "${A}" 🥇\n2. \`${C}\`\n3. '${B}'`, [A, C, B]),
  ok('labels that were not shown are dropped', `FINAL RANKING:\n1. ${D}\n2. ${B}\n3. ${A}\n4. ${C}`, [B, A, C]),
  ok('a list of more labels than shown, in a chain', `FINAL RANKING: ${C} > Response E > ${A} > ${B}`, [C, A, B]),
  ok(
    'two-letter labels',
    'FINAL RANKING:\n1. Response AB\n2. Response Z\n3. Response AA',
    ['Response AB', 'Response Z', 'Response AA'],
    ['Response Z', 'Response AA', 'Response AB'],
  ),
  ok('numbers out of order are read as ranks', `FINAL RANKING:\n2. ${A}\n1. ${C}\n3. ${B}`, [C, A, B]),
  ok(
    'JSON ranking array in a code block',
    `${analysis[2]}\n\n\`\`\`json\n{"ranking": ["${D}", "${A}", "${C}", "${B}"]}\n\`\`\``,
    [D, A, C, B],
    abcd,
  ),
  ok(
    'JSON after a matching list',
    `FINAL RANKING:\n1. ${B}\n2. ${A}\n3. ${C}\n\n{"ranking": ["${B}", "${A}", "${C}"]}`,
    [B, A, C],
  ),
  ok(
    'header with a colon on its own line, then a lead-in sentence',
    `FINAL RANKING:\nHere it is, best first.\n1. ${C}\n2. ${B}\n3. ${A}`,
    [C, B, A],
  ),
  ok('quote-block header', `> **FINAL RANKING**\n> 1. ${A}\n> 2. ${C}\n> 3. ${B}`, [A, C, B]),
  ok('two-answer council with a chain on the header line', `FINAL RANKING: ${B} > ${A}`, [B, A], [A, B]),
  ok(
    'ordinary words after "response"',
    `This response is good. A response I liked.\n\nFINAL RANKING: ${B}, ${A}, ${C}`,
    [B, A, C],
  ),
  ok('trailing period after the last chain item', `FINAL RANKING: ${C} > ${B} > ${A}.`, [C, B, A]),
  ok(
    'item reasons that name other labels',
    `FINAL RANKING:\n1. ${C} - clearer than ${A}\n2. ${A} – solid\n3. ${B}: too short`,
    [C, A, B],
  ),
  ok('Rank N: prefix with bullets', `FINAL RANKING:\n- 1. ${B}\n- 2. ${C}\n- 3. ${A}`, [B, C, A]),

  // Partial: a ranking that counts, but does not place every shown answer.
  {
    name: 'list missing one label',
    text: `FINAL RANKING:\n1. ${D}\n2. ${A}\n3. ${B}`,
    shown: abcd,
    status: 'partial',
    ranking: [D, A, B],
  },
  { name: 'only a winner', text: `FINAL RANKING:\n1. ${C}`, shown: abc, status: 'partial', ranking: [C] },
  {
    name: 'chain of two of four',
    text: `FINAL RANKING: ${B} > ${D}`,
    shown: abcd,
    status: 'partial',
    ranking: [B, D],
  },
  {
    name: 'after dropping an unknown label one shown label is missing',
    text: `FINAL RANKING:\n1. Response F\n2. ${C}\n3. ${A}`,
    shown: abc,
    status: 'partial',
    ranking: [C, A],
  },

  // Refusals to guess: nothing may count.
  refused('prose after the header, no list', `FINAL RANKING: ${C} is best, then ${A}, and ${B} last.`, 'unreadable'),
  refused('no header: labels in prose', `Overall, ${B} is best, followed by ${C}. ${A} is the weakest.`, 'unreadable'),
  refused('a single sentence picking a winner', `${C} is best.`, 'unreadable'),
  refused('mid-sentence "final ranking" only', `My final ranking puts ${B} above ${A} and ${C}.`, 'unreadable'),
  refused('refusal', "I'm sorry, but I can't compare or rank these responses.", 'unreadable'),
  refused('empty output', '', 'unreadable'),
  refused('whitespace only', '  \n\n ', 'unreadable'),
  refused('header with nothing after it', `${analysis[0]}\n\nFINAL RANKING:`, 'unreadable'),
  refused('think block that never closes', `<think>\nFINAL RANKING:\n1. ${B}\n2. ${A}\n3. ${C}`, 'unreadable'),
  refused(
    'ranking only inside a think block',
    `<think>FINAL RANKING: ${A} > ${B} > ${C}</think>\nAll are fine.`,
    'unreadable',
  ),
  refused('tie with an equals sign in a list', `FINAL RANKING:\n1. ${A}\n2. ${B} = ${C}`, 'ambiguous'),
  refused('tie in a chain', `FINAL RANKING: ${A} > ${B} = ${C}`, 'ambiguous'),
  refused('tie by repeated numbers', `FINAL RANKING:\n1. ${A}\n1. ${B}\n2. ${C}`, 'ambiguous'),
  refused('tie written "and"', `FINAL RANKING:\n1. ${B} and ${C} (tie)\n2. ${A}`, 'ambiguous'),
  refused('tie with a slash', `FINAL RANKING:\n1. ${C} / ${A}\n2. ${B}`, 'ambiguous'),
  refused('chain mixing > and <', `FINAL RANKING: ${A} > ${B} < ${C}`, 'ambiguous'),
  refused('the same label twice', `FINAL RANKING:\n1. ${A}\n2. ${A}\n3. ${B}`, 'ambiguous'),
  refused('list announced worst to best', `FINAL RANKING (worst to best):\n1. ${B}\n2. ${A}\n3. ${C}`, 'ambiguous'),
  refused('list announced in ascending order', `FINAL RANKING, ascending:\n1. ${C}\n2. ${A}\n3. ${B}`, 'ambiguous'),
  refused(
    'chain on the header line disagrees with the list under it',
    `FINAL RANKING: ${A} > ${B} > ${C}\n1. ${C}\n2. ${B}\n3. ${A}`,
    'ambiguous',
  ),
  refused(
    'JSON disagrees with the list',
    `FINAL RANKING:\n1. ${A}\n2. ${B}\n3. ${C}\n\n{"ranking": ["${C}", "${B}", "${A}"]}`,
    'ambiguous',
  ),
  refused('broken JSON', `{"ranking": ["${A}", "${B}",, }]`, 'ambiguous'),
  refused('JSON with bare letters', '{"ranking": ["A", "B", "C"]}', 'ambiguous'),
  refused(
    'table with a shared rank',
    `FINAL RANKING:\n| Rank | Response |\n|---|---|\n| 1 | ${A} |\n| 1 | ${B} |\n| 2 | ${C} |`,
    'ambiguous',
  ),
  refused(
    'table without a rank column',
    `FINAL RANKING:\n| Response | Verdict |\n|---|---|\n| ${A} | good |\n| ${B} | bad |`,
    'unreadable',
  ),
  refused('only unknown labels', `FINAL RANKING:\n1. Response X\n2. Response Y`, 'unreadable'),
  refused('numbers without labels', 'FINAL RANKING:\n1. A\n2. C\n3. B', 'unreadable'),
  refused('model names instead of labels', 'FINAL RANKING:\n1. GPT\n2. Claude\n3. Gemini', 'unreadable'),
  {
    name: 'cut off by the length limit, even with a full list',
    text: `FINAL RANKING:\n1. ${A}\n2. ${B}\n3. ${C}`,
    shown: abc,
    status: 'truncated',
    ranking: [],
    finishReason: 'length',
  },
  {
    name: 'cut off mid-list',
    text: `${analysis[0]}\n\nFINAL RANKING:\n1. ${B}\n2. Resp`,
    shown: abc,
    status: 'truncated',
    ranking: [],
    finishReason: 'length',
  },
  {
    name: 'cut off before the ranking',
    text: analysis[1] as string,
    shown: abc,
    status: 'truncated',
    ranking: [],
    finishReason: 'length',
  },
];

/** The same complete endings shown to a reviewer who saw a fourth answer: they leave it out. */
const atFour: CorpusCase[] = handWritten
  .filter((c) => c.status === 'ok' && c.shown === abc && !c.text.includes(D))
  .slice(0, 20)
  .map((c) => ({ ...c, name: `${c.name} (a fourth answer left out)`, shown: abcd, status: 'partial' as const }));

export const rankingCorpus: CorpusCase[] = [...styled, ...handWritten, ...atFour, ...scoreCases];
