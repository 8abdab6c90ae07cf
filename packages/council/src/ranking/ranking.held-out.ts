/**
 * Held-out review endings: written before the parser existed and never used to tune it. The
 * benchmark reports how often the parser reads them exactly and how often it abstains; a wrong
 * reading (counted, but not what a careful reader sees) is the failure that matters.
 *
 * `expected` is the complete ranking a careful reader takes from the text, best first, or `null`
 * when the text does not give one that should be counted.
 */
export interface HeldOutCase {
  name: string;
  text: string;
  shown: string[];
  expected: string[] | null;
}

const abc = ['Response A', 'Response B', 'Response C'];
const abcd = ['Response A', 'Response B', 'Response C', 'Response D'];

export const heldOutCases: HeldOutCase[] = [
  {
    name: 'plain numbered list after analysis',
    text: 'Response A is detailed but slow to the point.\nResponse B is wrong about the date.\n\nFINAL RANKING:\n1. Response C\n2. Response A\n3. Response B',
    shown: abc,
    expected: ['Response C', 'Response A', 'Response B'],
  },
  {
    name: 'header in a markdown heading with bold items and reasons',
    text: '### Final Ranking\n1. **Response B** — the only one that handles null input\n2. **Response D** — close second\n3. **Response A**\n4. **Response C** — contains a factual error',
    shown: abcd,
    expected: ['Response B', 'Response D', 'Response A', 'Response C'],
  },
  {
    name: 'prose only, no list',
    text: 'Overall I found Response B the strongest, with Response A a little behind and Response C last. That is my final ranking in words.',
    shown: abc,
    expected: null,
  },
  {
    name: 'refusal',
    text: "I'm sorry, but I can't rank other assistants' responses.",
    shown: abc,
    expected: null,
  },
  {
    name: 'empty output',
    text: '',
    shown: abc,
    expected: null,
  },
  {
    name: 'one-line arrow chain',
    text: 'After weighing everything:\n\nFINAL RANKING: Response C > Response B > Response A',
    shown: abc,
    expected: ['Response C', 'Response B', 'Response A'],
  },
  {
    name: 'less-than chain means worst first',
    text: 'FINAL RANKING: Response A < Response C < Response B',
    shown: abc,
    expected: ['Response B', 'Response C', 'Response A'],
  },
  {
    name: 'a tie in the list',
    text: 'FINAL RANKING:\n1. Response A\n2. Response B = Response C',
    shown: abc,
    expected: null,
  },
  {
    name: 'draft ranking, then a revised final one',
    text: 'FINAL RANKING (draft):\n1. Response A\n2. Response B\n3. Response C\n\nOn reflection Response C deserves more credit.\n\nFINAL RANKING:\n1. Response C\n2. Response A\n3. Response B',
    shown: abc,
    expected: ['Response C', 'Response A', 'Response B'],
  },
  {
    name: 'ranking inside a think block, real answer outside',
    text: '<think>\nFINAL RANKING:\n1. Response B\n2. Response A\n3. Response C\n</think>\nMy evaluation follows.\n\nFINAL RANKING:\n1. Response A\n2. Response B\n3. Response C',
    shown: abc,
    expected: ['Response A', 'Response B', 'Response C'],
  },
  {
    name: 'only a think block that never closes',
    text: '<think>\nLet me compare. Response B seems best.\nFINAL RANKING:\n1. Response B\n2. Response',
    shown: abc,
    expected: null,
  },
  {
    name: 'list missing one label',
    text: 'FINAL RANKING:\n1. Response D\n2. Response A\n3. Response B',
    shown: abcd,
    expected: null,
  },
  {
    name: 'table with rank column',
    text: 'FINAL RANKING:\n\n| Rank | Response | Why |\n|---|---|---|\n| 1 | Response B | precise |\n| 2 | Response C | fine |\n| 3 | Response A | vague |',
    shown: abc,
    expected: ['Response B', 'Response C', 'Response A'],
  },
  {
    name: 'JSON object with a ranking array',
    text: 'Here is my verdict.\n\n```json\n{"ranking": ["Response C", "Response A", "Response B"]}\n```',
    shown: abc,
    expected: ['Response C', 'Response A', 'Response B'],
  },
  {
    name: 'bracketed numbers',
    text: 'FINAL RANKING:\n[1] Response A\n[2] Response C\n[3] Response B',
    shown: abc,
    expected: ['Response A', 'Response C', 'Response B'],
  },
  {
    name: 'list of worst to best, announced as such',
    text: 'FINAL RANKING (worst to best):\n1. Response B\n2. Response A\n3. Response C',
    shown: abc,
    expected: null,
  },
  {
    name: 'prose mentioning the words final ranking, then the real header',
    text: 'Before my final ranking, a note: Response A cites sources well.\n\nFINAL RANKING:\n1. Response A\n2. Response C\n3. Response B',
    shown: abc,
    expected: ['Response A', 'Response C', 'Response B'],
  },
  {
    name: 'label that was not shown',
    text: 'FINAL RANKING:\n1. Response B\n2. Response E\n3. Response A\n4. Response C',
    shown: abc,
    expected: ['Response B', 'Response A', 'Response C'],
  },
  {
    name: 'bulleted list without numbers',
    text: 'FINAL RANKING:\n- Response C\n- Response B\n- Response A',
    shown: abc,
    expected: ['Response C', 'Response B', 'Response A'],
  },
  {
    name: 'full-width header and labels',
    text: 'ＦＩＮＡＬ ＲＡＮＫＩＮＧ：\n１. Ｒｅｓｐｏｎｓｅ Ｂ\n２. Ｒｅｓｐｏｎｓｅ Ａ\n３. Ｒｅｓｐｏｎｓｅ Ｃ',
    shown: abc,
    expected: ['Response B', 'Response A', 'Response C'],
  },
  {
    name: 'same label twice in the list',
    text: 'FINAL RANKING:\n1. Response A\n2. Response A\n3. Response B',
    shown: abc,
    expected: null,
  },
  {
    name: 'header with no list after it',
    text: 'Response B is best. FINAL RANKING:',
    shown: abc,
    expected: null,
  },
  {
    name: 'two-label council, unicode arrow',
    text: 'FINAL RANKING: Response B → Response A',
    shown: ['Response A', 'Response B'],
    expected: ['Response B', 'Response A'],
  },
  {
    name: 'parenthesis numbering with trailing note',
    text: 'FINAL RANKING:\n1) Response C\n2) Response B\n3) Response A\n\n(Response A would rise with citations.)',
    shown: abc,
    expected: ['Response C', 'Response B', 'Response A'],
  },
  {
    name: 'ranking given before the analysis under a line-anchored header',
    text: 'FINAL RANKING:\n1. Response B\n2. Response C\n3. Response A\n\nReasons: Response B was the clearest; Response A had errors.',
    shown: abc,
    expected: ['Response B', 'Response C', 'Response A'],
  },
  // Reviews that end in scores instead of positions (issue 19). Written before the parser read
  // scores, and not used to tune it: the right reading is by score, never in listing order, and a
  // tie in scores gives no ranking to count.
  {
    name: 'scores per label under the header, listed in label order',
    text: 'Response A misses the edge case; Response C is the most complete.\n\nFINAL RANKING:\nResponse A: 6/10\nResponse B: 7/10\nResponse C: 9/10',
    shown: abc,
    expected: ['Response C', 'Response B', 'Response A'],
  },
  {
    name: 'bulleted scores with reasons, best last',
    text: '## Final Ranking\n- **Response A** — 5/10, vague\n- **Response B** — 8/10, correct and short\n- **Response C** — 9/10, correct with an example\n- **Response D** — 3/10, wrong',
    shown: abcd,
    expected: ['Response C', 'Response B', 'Response A', 'Response D'],
  },
  {
    name: 'scores out of 10 in words, two of them equal',
    text: 'FINAL RANKING:\nResponse A: 8 out of 10\nResponse B: 6 out of 10\nResponse C: 8 out of 10',
    shown: abc,
    expected: null,
  },
  {
    name: 'score table without a rank column',
    text: 'FINAL RANKING\n\n| Response | Score |\n|---|---|\n| Response A | 7.5 |\n| Response B | 9 |\n| Response C | 4 |',
    shown: abc,
    expected: ['Response B', 'Response A', 'Response C'],
  },
  {
    name: 'decimal scores with a "Score:" prefix',
    text: 'FINAL RANKING:\nResponse B — Score: 7.5\nResponse A — Score: 8.5\nResponse C — Score: 6',
    shown: abc,
    expected: ['Response A', 'Response B', 'Response C'],
  },
  {
    name: 'numbered positions that agree with their scores',
    text: 'FINAL RANKING:\n1. Response C (9/10)\n2. Response A (7/10)\n3. Response B (4/10)',
    shown: abc,
    expected: ['Response C', 'Response A', 'Response B'],
  },
];
