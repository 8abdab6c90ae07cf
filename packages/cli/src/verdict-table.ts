import type { AggregateRanking, Agreement } from '@llm-council/sdk';

/**
 * The council's verdict and its "street cred" table as plain text, e.g.
 *
 *   Verdict: the reviewers agree (Kendall's W 0.81, p 0.012)
 *   #  model            avg rank  votes
 *   1  openai/gpt-5.1   1.33      3
 */
export function formatVerdict(verdict: Agreement | null, ranking: AggregateRanking[]): string {
  if (ranking.length === 0) return 'No ranking: no review could be read.\n';
  const rows = ranking.map((row, index) => [
    String(row.place ?? index + 1),
    row.model,
    row.averageRank.toFixed(2),
    String(row.votes ?? row.rankingsCount),
  ]);
  const table = [['#', 'model', 'avg rank', 'votes'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((r) => r[column]!.length)));
  const lines = table.map((r) =>
    r
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  return `\n${describeVerdict(verdict)}\n${lines.join('\n')}\n`;
}

function describeVerdict(verdict: Agreement | null): string {
  if (!verdict) return 'Verdict: agreement not measured';
  const figures =
    verdict.kendallW === null
      ? 'agreement not measurable'
      : `Kendall's W ${verdict.kendallW.toFixed(2)}${verdict.pValue === null ? '' : `, p ${verdict.pValue.toFixed(3)}`}`;
  return `Verdict: ${verdict.contested ? 'contested — the reviewers did not clearly agree' : 'the reviewers agree'} (${figures})`;
}
