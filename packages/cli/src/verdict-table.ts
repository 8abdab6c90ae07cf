import { sharedPlaces, verdictHeadlines, type AggregateRanking, type CouncilAnswer } from '@llm-council/sdk';

/**
 * The council's verdict in plain words and its "street cred" table as plain text, e.g.
 *
 *   Verdict: Clear winner. openai/gpt-5.1 ranked first by 3 of 3 peers.
 *   #   model            avg rank  votes
 *   1   openai/gpt-5.1   1.33      3
 *   2=  x-ai/grok-4      2.33      3
 *   2=  google/gemini    2.33      3
 *   Equal scores share a place (=); there is no tie-break.
 */
export function formatVerdict(result: Pick<CouncilAnswer, 'verdict' | 'agreement' | 'ranking'>): string {
  const { verdict, agreement, ranking } = result;
  const headline = verdict ? `Verdict: ${verdictHeadlines[verdict.kind]}. ${verdict.sentence}` : null;
  if (ranking.length === 0) return `\n${headline ?? 'No ranking: no review could be read.'}\n`;
  const places = sharedPlaces(ranking);
  const isTied = (place: number) => places.filter((p) => p === place).length > 1;
  const rows = ranking.map((row: AggregateRanking, index) => {
    const place = places[index] ?? index + 1;
    return [
      `${place}${isTied(place) ? '=' : ''}`,
      row.model,
      row.averageRank.toFixed(2),
      String(row.votes ?? row.rankingsCount),
    ];
  });
  const table = [['#', 'model', 'avg rank', 'votes'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((r) => r[column]!.length)));
  const lines = table.map((r) =>
    r
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  if (places.some(isTied)) lines.push('Equal scores share a place (=); there is no tie-break.');
  // W and p are a detail: one line after the table, never the verdict itself.
  if (agreement?.kendallW != null) {
    const p = agreement.pValue === null ? '' : `, p ${agreement.pValue.toFixed(3)}`;
    lines.push(`Agreement of the whole rankings: Kendall's W ${agreement.kendallW.toFixed(2)}${p}`);
  }
  return `\n${headline ? `${headline}\n` : ''}${lines.join('\n')}\n`;
}
