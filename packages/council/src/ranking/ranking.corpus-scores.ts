import type { CorpusCase } from './ranking.corpus.js';

/**
 * Tuning cases for reviews that end in scores instead of positions (issue 19): they are read by
 * score, never in the order the labels are listed (often A, B, C); a tie in scores, scores on
 * different scales, or scores on only some labels give nothing to count (the reviewer is asked
 * for positions once). Part of `rankingCorpus`, so `ranking.test.ts` requires each exactly.
 */

const A = 'Response A';
const B = 'Response B';
const C = 'Response C';
const D = 'Response D';
const abc = [A, B, C];
const abcd = [A, B, C, D];
const critique = `${A} is careful but long. ${B} gets the date wrong. ${C} is short and right.`;

const byScore = (name: string, text: string, ranking: string[], shown = abc): CorpusCase => ({
  name: `scores: ${name}`,
  text,
  shown,
  status: ranking.length === shown.length ? 'ok' : 'partial',
  ranking,
});
const noOrder = (name: string, text: string, shown = abc): CorpusCase => ({
  name: `scores: ${name}`,
  text,
  shown,
  status: 'ambiguous',
  ranking: [],
});

export const scoreCases: CorpusCase[] = [
  byScore('x/10 per line in label order', `${critique}\n\nFINAL RANKING:\n${A}: 7/10\n${B}: 5/10\n${C}: 9/10`, [
    C,
    A,
    B,
  ]),
  byScore(
    'bold labels, dash, score and reason',
    `FINAL RANKING:\n**${A}** — 6/10: thorough\n**${B}** — 8/10: right and brief\n**${C}** — 4/10: wrong unit`,
    [B, A, C],
  ),
  byScore(
    'bulleted, four answers',
    `Final ranking\n- ${A}: 3/10\n- ${B}: 9/10\n- ${C}: 7/10\n- ${D}: 8/10`,
    [B, D, C, A],
    abcd,
  ),
  byScore('"out of" in words', `FINAL RANKING:\n${A}: 8 out of 10\n${B}: 9 out of 10\n${C}: 2 out of 10`, [B, A, C]),
  byScore('"Score:" with decimals', `FINAL RANKING:\n${A} - Score: 6.5\n${B} - Score: 7\n${C} - Score: 8.25`, [
    C,
    B,
    A,
  ]),
  byScore('bare numbers after the labels', `FINAL RANKING:\n${A}: 7\n${B}: 9\n${C}: 6`, [B, A, C]),
  byScore('scores in brackets', `FINAL RANKING:\n${A} (4/5)\n${B} (2/5)\n${C} (5/5)`, [C, A, B]),
  byScore(
    'a score table without a rank column',
    `FINAL RANKING\n\n| Answer | Score | Note |\n|---|---|---|\n| ${A} | 6/10 | long |\n| ${B} | 8/10 | clear |\n| ${C} | 7/10 | fine |`,
    [B, C, A],
  ),
  byScore('scores for two of three labels', `FINAL RANKING:\n${C}: 8/10\n${A}: 9/10`, [A, C]),
  {
    name: 'scores: numbered positions win, scores beside them agree',
    text: `FINAL RANKING:\n1. ${B} (9/10)\n2. ${C} (8/10)\n3. ${A} (5/10)`,
    shown: abc,
    status: 'ok',
    ranking: [B, C, A],
  },
  noOrder('two equal scores', `FINAL RANKING:\n${A}: 8/10\n${B}: 8/10\n${C}: 6/10`),
  noOrder(
    'equal scores in a table',
    `FINAL RANKING\n\n| Response | Rating |\n|---|---|\n| ${A} | 7 |\n| ${B} | 7 |\n| ${C} | 9 |`,
  ),
  noOrder('scores on different scales', `FINAL RANKING:\n${A}: 7/10\n${B}: Score: 8\n${C}: 3/10`),
  noOrder('a score on some lines only', `FINAL RANKING:\n- ${A}: 7/10\n- ${B}: solid\n- ${C}: 5/10`),
  noOrder('a reason with a number is not a score', `FINAL RANKING:\n${A}: 9/10\n${B}: 2 factual errors\n${C}: 6/10`),
];
