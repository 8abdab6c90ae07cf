import { shortModelName } from './model-names';
import type { RunState } from './run-state';

/**
 * What the final answer rests on, in one line for its header: "4 of 4 answered · ranked by 4
 * reviewers", or — when the council was short — which models are missing, so a synthesis from a
 * degraded council never looks like a full one.
 */
export function describeAnswerBasis(s: RunState): string {
  const total = s.models.length;
  const answered = s.models.filter((model) => s.stage1[model]?.status === 'done');
  const missing = s.models.filter((model) => !answered.includes(model));
  const reviewers = Object.values(s.stage2).filter((review) => review.status === 'done').length;
  const parts = [`${answered.length} of ${total} answered`];
  if (missing.length > 0) parts.push(`missing: ${missing.map(shortModelName).join(', ')}`);
  parts.push(reviewers === 0 ? 'not peer-ranked' : `ranked by ${reviewers} reviewer${reviewers === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
