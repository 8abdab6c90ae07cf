/**
 * Review endings in the shapes models actually produce, for `parseRanking`. Each case names the
 * quirk it covers; `expected` is the ranking a careful human would read from the text.
 */
export interface RankingFixture {
  name: string;
  text: string;
  validLabels?: string[];
  expected: string[];
}

const abc = ['Response A', 'Response B', 'Response C'];

export const rankingFixtures: RankingFixture[] = [
  {
    name: 'the requested format',
    text: 'Response A is thorough. Response B is short.\n\nFINAL RANKING:\n1. Response B\n2. Response A\n3. Response C',
    expected: ['Response B', 'Response A', 'Response C'],
  },
  {
    name: 'bold header and bold items',
    text: 'Critique…\n\n**FINAL RANKING:**\n1. **Response C**\n2. **Response A**\n3. **Response B**',
    expected: ['Response C', 'Response A', 'Response B'],
  },
  {
    name: 'markdown heading in title case without a colon',
    text: '## Evaluation\nResponse A rambles.\n\n## Final Ranking\n1. Response A\n2. Response C\n3. Response B',
    expected: ['Response A', 'Response C', 'Response B'],
  },
  {
    name: 'parenthesis numbering',
    text: 'FINAL RANKING:\n1) Response B\n2) Response C\n3) Response A',
    expected: ['Response B', 'Response C', 'Response A'],
  },
  {
    name: 'items with reasons after a dash',
    text: 'FINAL RANKING:\n1. Response C - most accurate, better than Response A\n2. Response A – solid\n3. Response B: too short',
    expected: ['Response C', 'Response A', 'Response B'],
  },
  {
    name: 'trailing commentary after the list mentions other labels',
    text: 'FINAL RANKING:\n1. Response B\n2. Response A\n3. Response C\n\nNote that Response C could move up if Response A had cited sources.',
    expected: ['Response B', 'Response A', 'Response C'],
  },
  {
    name: 'prose before the header mentions labels in another order',
    text: 'I think Response C is weakest and Response A strongest.\n\nFINAL RANKING:\n1. Response A\n2. Response B\n3. Response C',
    expected: ['Response A', 'Response B', 'Response C'],
  },
  {
    name: 'a duplicated item keeps its first position',
    text: 'FINAL RANKING:\n1. Response B\n2. Response B\n3. Response A\n4. Response C',
    expected: ['Response B', 'Response A', 'Response C'],
  },
  {
    name: 'lowercase header and labels',
    text: 'final ranking:\n1. response c\n2. response a\n3. response b',
    expected: ['Response C', 'Response A', 'Response B'],
  },
  {
    name: 'header present but no numbered list: labels in order of mention',
    text: 'FINAL RANKING: Response C is best, then Response A, and Response B last.',
    expected: ['Response C', 'Response A', 'Response B'],
  },
  {
    name: 'no header: every label in the whole text',
    text: 'Overall, Response B is best, followed by Response C. Response A is the weakest.',
    expected: ['Response B', 'Response C', 'Response A'],
  },
  {
    name: 'a single sentence picking a winner',
    text: 'Response C is best.',
    expected: ['Response C'],
  },
  {
    name: 'list on one line',
    text: 'FINAL RANKING: 1. Response A 2. Response C 3. Response B',
    expected: ['Response A', 'Response C', 'Response B'],
  },
  {
    name: 'bulleted numbers with hash and colon',
    text: 'FINAL RANKING:\n- #1: Response B\n- #2: Response A\n- #3: Response C',
    expected: ['Response B', 'Response A', 'Response C'],
  },
  {
    name: 'full-width letters and non-breaking spaces',
    text: 'FINAL RANKING:\n1.\u00a0Ｒｅｓｐｏｎｓｅ Ｂ\n2. Response\u00a0A\n3. Response C ✅',
    expected: ['Response B', 'Response A', 'Response C'],
  },
  {
    name: 'emoji and quotes around labels',
    text: '🏆 FINAL RANKING:\n1. "Response A" 🥇\n2. `Response C`\n3. \'Response B\'',
    expected: ['Response A', 'Response C', 'Response B'],
  },
  {
    name: 'labels outside the valid set are dropped',
    text: 'FINAL RANKING:\n1. Response D\n2. Response B\n3. Response A',
    validLabels: abc,
    expected: ['Response B', 'Response A'],
  },
  {
    name: 'ordinary words after "response" are not labels',
    text: 'This response is good. A response I liked.\n\nFINAL RANKING: Response B, Response A',
    validLabels: abc,
    expected: ['Response B', 'Response A'],
  },
  {
    name: 'two-letter labels beyond Z',
    text: 'FINAL RANKING:\n1. Response AB\n2. Response Z\n3. Response AA',
    expected: ['Response AB', 'Response Z', 'Response AA'],
  },
  {
    name: 'the header mentioned twice: the first occurrence starts the section',
    text: 'I will end with a FINAL RANKING as asked.\nResponse B has a bug.\n\nFINAL RANKING:\n1. Response C\n2. Response A\n3. Response B',
    expected: ['Response C', 'Response A', 'Response B'],
  },
  {
    name: 'nothing parseable',
    text: 'All three answers are about equally good; I cannot rank them.',
    expected: [],
  },
];
