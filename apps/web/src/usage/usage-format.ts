// Numbers as the Usage page and the run footer show them. The interface is English, so the
// numbers are too ("12,345"), whatever the browser's locale: a mix would read badly.
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** "12,345" */
export function formatTokens(tokens: number): string {
  return whole.format(tokens);
}

/** "950", "12.3K", "1.2M": short enough to sit above a bar. */
export function formatTokensShort(tokens: number): string {
  return compact.format(tokens);
}

/**
 * US dollars with enough digits to mean something: "$12.35", "$0.123", "$0.0042"; "$0" for zero and
 * "no cost reported" when the provider reported none (null).
 */
export function formatCost(usd: number | null): string {
  if (usd === null) return 'no cost reported';
  if (usd === 0) return '$0';
  const digits = usd >= 1 ? 2 : usd >= 0.01 ? 3 : usd >= 0.0001 ? 4 : 6;
  return `$${usd.toFixed(digits)}`;
}

/** "1,801 tokens (1,234 prompt, 567 completion) · $0.0123" */
export function describeUsage(usage: { promptTokens: number; completionTokens: number; cost: number | null }): string {
  const total = usage.promptTokens + usage.completionTokens;
  const tokens = `${formatTokens(total)} tokens (${formatTokens(usage.promptTokens)} prompt, ${formatTokens(usage.completionTokens)} completion)`;
  return `${tokens} · ${formatCost(usage.cost)}`;
}
