import { shortModelName } from './model-names';
import { escapeHtml } from '../ui/escape-html';

// The labels the server assigns ('Response A' … 'Response Z', 'Response AA' …), in the casings
// reviewers actually write. Lower-case letters are not labels ("response a" is usually prose).
const LABEL_PATTERN = /\b(Response|response|RESPONSE)\s+([A-Z]{1,2})\b/g;

/**
 * Rewrites a stage-2 review for reading: every known `Response X` becomes the model's short name
 * in bold. Reviewers were shown anonymous labels; the reader deserves names. The name is inserted
 * as a `<strong>` element rather than `**…**` so it nests safely inside the reviewer's own
 * emphasis (`**Response A** is best`); the result still goes through the markdown sanitiser.
 * Unknown labels (a reviewer inventing `Response Q`) are left as written.
 */
export function replaceLabels(text: string, labelToModel: Readonly<Record<string, string>>): string {
  return text.replace(LABEL_PATTERN, (match, _word: string, letters: string) => {
    const model = Object.hasOwn(labelToModel, `Response ${letters}`) ? labelToModel[`Response ${letters}`] : undefined;
    return model === undefined ? match : `<strong>${escapeHtml(shortModelName(model))}</strong>`;
  });
}

/** A reviewer's parsed ranking as model names, best first; unknown labels stay labels. */
export function rankedModels(
  parsedRanking: readonly string[],
  labelToModel: Readonly<Record<string, string>>,
): { label: string; model: string | null }[] {
  return parsedRanking.map((label) => ({
    label,
    model: Object.hasOwn(labelToModel, label) ? (labelToModel[label] ?? null) : null,
  }));
}
