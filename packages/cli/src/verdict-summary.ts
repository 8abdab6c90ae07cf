import { sharedPlaces, verdictHeadlines, type RunEvent } from '@llm-council/sdk';

type Ranked = Extract<RunEvent, { type: 'aggregate_ranked' }>;

/**
 * What `ask` prints to stderr once the reviews are counted: the verdict in plain words, then the
 * peer ranking on one line with shared places for ties ("1. a  1. b (tie)  3. c").
 */
export function verdictLines(event: Ranked): string[] {
  const lines: string[] = [];
  if (event.verdict) lines.push(`Verdict: ${verdictHeadlines[event.verdict.kind]}. ${event.verdict.sentence}`);
  if (event.aggregate.length === 0) return lines;
  const places = sharedPlaces(event.aggregate);
  const isTied = (place: number) => places.filter((p) => p === place).length > 1;
  const entries = event.aggregate.map((row, i) => {
    const place = places[i] ?? i + 1;
    return `${place}. ${row.model}${isTied(place) ? ' (tie)' : ''}`;
  });
  lines.push(`Peer ranking: ${entries.join('  ')}`);
  if (places.some(isTied)) lines.push('Equal scores share a place; there is no tie-break.');
  return lines;
}
