import type { Database, SavedCouncil } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { CouncilFields, SavedCouncilView } from './councils.schemas.js';

type Db = Kysely<Database>;

const columns = [
  'id',
  'name',
  'models',
  'chairmanModel',
  'mode',
  'instructions',
  'reasoningEffort',
  'webSearch',
] as const satisfies readonly (keyof SavedCouncil)[];

/** The user's councils, by name. */
export async function listCouncils(db: Db, userId: string): Promise<SavedCouncilView[]> {
  return db.selectFrom('councils').select(columns).where('userId', '=', userId).orderBy('name').execute();
}

/** The council if — and only if — the user owns it. */
export async function findCouncil(db: Db, userId: string, id: string): Promise<SavedCouncilView | undefined> {
  return db.selectFrom('councils').select(columns).where('id', '=', id).where('userId', '=', userId).executeTakeFirst();
}

export async function insertCouncil(db: Db, userId: string, values: CouncilFields): Promise<SavedCouncilView> {
  return db
    .insertInto('councils')
    .values({ ...values, userId, models: JSON.stringify(values.models) })
    .returning(columns)
    .executeTakeFirstOrThrow();
}

/** Undefined when the council is not the user's. */
export async function updateCouncil(
  db: Db,
  userId: string,
  id: string,
  values: Partial<CouncilFields>,
): Promise<SavedCouncilView | undefined> {
  const { models, ...rest } = values;
  return db
    .updateTable('councils')
    .set({ ...rest, ...(models && { models: JSON.stringify(models) }), updatedAt: new Date() })
    .where('id', '=', id)
    .where('userId', '=', userId)
    .returning(columns)
    .executeTakeFirst();
}

/** False when the council is not the user's. */
export async function deleteCouncil(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('councils').where('id', '=', id).where('userId', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
