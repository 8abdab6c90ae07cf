/*
 * Unsent questions, per conversation ('new' for the start page), so a trip to Settings (say, to
 * add the missing API key) does not lose what the user typed. Memory only: nothing typed is
 * written to browser storage, and the drafts are dropped when the signed-in shell unmounts.
 */
const drafts = new Map<string, string>();

export function readDraft(key: string): string {
  return drafts.get(key) ?? '';
}

export function saveDraft(key: string, text: string): void {
  if (text.trim() === '') drafts.delete(key);
  else drafts.set(key, text);
}

export function clearDrafts(): void {
  drafts.clear();
}
