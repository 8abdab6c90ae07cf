import type { RouterOutputs } from '@llm-council/sdk';

export type Provider = RouterOutputs['settings']['providers'][number];
export type SavedKey = RouterOutputs['settings']['listApiKeys'][number];
export type SaveResult = RouterOutputs['settings']['saveApiKey'];
export type KeyValidation = SaveResult['validation'];

const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;

/** What the provider said about a key, in one or two plain sentences. */
export function describeValidation(validation: KeyValidation, providerLabel: string): string {
  if (validation.status === 'unvalidated') {
    return validation.reason === 'unreachable'
      ? `Saved, but ${providerLabel} could not be reached to check it; your first question will tell.`
      : `Saved. ${providerLabel} has no way to check keys, so it was stored without a check.`;
  }
  const parts = [`Key verified by ${providerLabel}${validation.label ? ` (“${validation.label}”)` : ''}.`];
  if (validation.limit === null) parts.push('No credit limit on this key.');
  else if (validation.limitRemaining !== null)
    parts.push(`Remaining credit: ${usd(validation.limitRemaining)} of ${usd(validation.limit)}.`);
  if (validation.usage !== null) parts.push(`Used so far: ${usd(validation.usage)}.`);
  if (validation.isFreeTier) parts.push('This is a free-tier key; some models may be unavailable.');
  return parts.join(' ');
}
