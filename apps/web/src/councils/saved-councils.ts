import type { RouterInputs, RouterOutputs } from '@llm-council/sdk';

/** A saved council as every client sees it: the user's own, or the operator's (`server:<slug>`, read-only). */
export type SavedCouncil = RouterOutputs['councils']['list']['councils'][number];
export type CouncilFields = RouterInputs['councils']['create'];
export type CouncilMode = SavedCouncil['mode'];
export type ReasoningEffort = SavedCouncil['reasoningEffort'];

export const modeLabels: Record<CouncilMode, string> = {
  full: 'Full council — answers, peer review, final answer',
  ranked: 'Answers and peer ranking — no final answer',
  answers: 'Answers only — no review',
};

export const modeShortLabels: Record<CouncilMode, string> = {
  full: 'full council',
  ranked: 'answers + ranking',
  answers: 'answers only',
};

export const effortLabels: Record<ReasoningEffort, string> = {
  none: 'Default (no reasoning setting)',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
};

export const isServerCouncil = (council: Pick<SavedCouncil, 'id'>) => council.id.startsWith('server:');

// The council last asked with on this device; the new-conversation page starts from it.
const LAST_COUNCIL_KEY = 'llm-council:last-council';

export function readLastCouncil(): string | null {
  try {
    return localStorage.getItem(LAST_COUNCIL_KEY);
  } catch {
    return null;
  }
}

export function saveLastCouncil(councilId: string | null): void {
  try {
    if (councilId) localStorage.setItem(LAST_COUNCIL_KEY, councilId);
    else localStorage.removeItem(LAST_COUNCIL_KEY);
  } catch {
    // Storage may be unavailable (private mode): the choice is then not remembered.
  }
}
