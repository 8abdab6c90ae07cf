import { councilModeSchema, reasoningEffortSchema } from '@llm-council/council';
import { z } from 'zod';
import { COUNCIL_MAX_MODELS, INSTRUCTIONS_MAX_LENGTH, councilSlug } from '../constants.js';
import { idSchema, modelIdSchema } from '../shared/schemas.js';
import { text } from '../shared/text.js';

/**
 * A saved council: a named preset of models, chairman, mode, standing instructions (the system
 * message of the answers and of the chairman), reasoning effort and web search. Users own theirs;
 * the operator's (SERVER_COUNCILS) are shown to everyone, read-only, with ids `server:<slug>`.
 */

export const COUNCIL_NAME_MAX_LENGTH = 100;

const councilFields = {
  name: text({ min: 1, max: COUNCIL_NAME_MAX_LENGTH, trim: true, label: 'Name' }),
  /** One model is enough in mode `answers`; the other modes need two (checked with the mode). */
  models: z
    .array(modelIdSchema)
    .min(1, 'A council needs at least 1 model')
    .max(COUNCIL_MAX_MODELS, `A council has at most ${COUNCIL_MAX_MODELS} models`),
  chairmanModel: modelIdSchema,
  mode: councilModeSchema,
  instructions: text({
    max: INSTRUCTIONS_MAX_LENGTH,
    label: 'Instructions',
    maxMessage: `Instructions must be at most ${INSTRUCTIONS_MAX_LENGTH.toLocaleString('en')} characters`,
  }),
  reasoningEffort: reasoningEffortSchema,
  webSearch: z.boolean(),
};

/** What `councils.create` takes (and each entry of SERVER_COUNCILS): unset settings take their defaults. */
export const councilFieldsSchema = z.strictObject({
  ...councilFields,
  mode: councilFields.mode.default('full'),
  instructions: councilFields.instructions.default(''),
  reasoningEffort: councilFields.reasoningEffort.default('none'),
  webSearch: councilFields.webSearch.default(false),
});
export type CouncilFields = z.output<typeof councilFieldsSchema>;

const serverCouncilIdSchema = text({ max: 80, label: 'councilId' }).regex(
  /^server:[a-z0-9]+(?:-[a-z0-9]+)*$/,
  'councilId is a council id',
);

/** `council.start({ councilId })`: one of the user's councils (uuid) or the operator's (`server:<slug>`). */
export const councilIdSchema = z.union([idSchema, serverCouncilIdSchema]);

/** `councils.update`: the id and the fields to change. A server council's id is refused as read-only. */
export const updateCouncilInput = z.strictObject({ id: councilIdSchema, ...z.object(councilFields).partial().shape });

export const councilIdInput = z.strictObject({ id: councilIdSchema });

/** The one shape every client sees, own and server councils alike. */
export interface SavedCouncilView extends CouncilFields {
  id: string;
}

/**
 * SERVER_COUNCILS: a JSON array of councils (`name`, `models`, `chairmanModel`, and optionally
 * `mode`, `instructions`, `reasoningEffort`, `webSearch`). Each gets the id `server:<slug of name>`.
 */
export function parseServerCouncils(raw: string | undefined): { councils: SavedCouncilView[]; problems: string[] } {
  if (raw === undefined || raw.trim() === '') return { councils: [], problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { councils: [], problems: ['SERVER_COUNCILS: not valid JSON (a JSON array of councils)'] };
  }
  const parsed = z.array(councilFieldsSchema).max(50).safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.join('.') ?? '';
    return { councils: [], problems: [`SERVER_COUNCILS: ${where ? `${where}: ` : ''}${first?.message ?? 'invalid'}`] };
  }
  const problems: string[] = [];
  const councils = parsed.data.map((council) => ({ id: `server:${councilSlug(council.name)}`, ...council }));
  const seen = new Set<string>();
  for (const { id, name } of councils) {
    if (id === 'server:') problems.push(`SERVER_COUNCILS: "${name}" needs a letter or digit in its name`);
    else if (seen.has(id)) problems.push(`SERVER_COUNCILS: two councils are named like "${name}"`);
    seen.add(id);
  }
  return { councils: problems.length > 0 ? [] : councils, problems };
}
