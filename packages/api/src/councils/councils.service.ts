import type { Context } from '../context.js';
import { appError, notFound } from '../errors.js';
import { isUniqueViolation } from '../shared/db-errors.js';
import {
  deleteCouncil as deleteCouncilRow,
  findCouncil,
  insertCouncil,
  listCouncils,
  updateCouncil as updateCouncilRow,
} from './councils.repository.js';
import type { CouncilFields, SavedCouncilView } from './councils.schemas.js';

type CouncilsDeps = Pick<Context, 'db' | 'config'>;

/** Checks a council's models as `council.start` would (the router passes council.service's check in). */
export type CheckCouncilModels = (council: Pick<CouncilFields, 'models' | 'chairmanModel' | 'mode'>) => Promise<void>;

/** The user's own councils, and the operator's, which every user sees and none may change. */
export async function listCouncilsFor(
  ctx: CouncilsDeps,
  userId: string,
): Promise<{ councils: SavedCouncilView[]; serverCouncils: SavedCouncilView[] }> {
  return { councils: await listCouncils(ctx.db, userId), serverCouncils: ctx.config.council.serverCouncils };
}

/**
 * The council a question is asked with: the user's own (a uuid) or the operator's (`server:<slug>`).
 * Another user's council is NOT_FOUND, exactly like a missing one.
 */
export async function resolveCouncil(ctx: CouncilsDeps, userId: string, id: string): Promise<SavedCouncilView> {
  const council = isServerCouncilId(id)
    ? ctx.config.council.serverCouncils.find((c) => c.id === id)
    : await findCouncil(ctx.db, userId, id);
  if (!council) throw notFound('Council');
  return council;
}

export async function createCouncil(
  ctx: CouncilsDeps,
  userId: string,
  input: CouncilFields,
  check: CheckCouncilModels,
): Promise<SavedCouncilView> {
  await check(input);
  return insertCouncil(ctx.db, userId, input).catch(renameTaken(input.name));
}

/** Changes the given fields of the user's council; the result is checked whole, like a new one. */
export async function updateCouncil(
  ctx: CouncilsDeps,
  userId: string,
  input: Partial<CouncilFields> & { id: string },
  check: CheckCouncilModels,
): Promise<SavedCouncilView> {
  const { id, ...changes } = input;
  assertWritable(id);
  const existing = await findCouncil(ctx.db, userId, id);
  if (!existing) throw notFound('Council');
  await check({ ...existing, ...changes });
  const updated = await updateCouncilRow(ctx.db, userId, id, changes).catch(renameTaken(changes.name ?? ''));
  if (!updated) throw notFound('Council');
  return updated;
}

export async function deleteCouncil(ctx: CouncilsDeps, userId: string, id: string): Promise<{ ok: true }> {
  assertWritable(id);
  if (!(await deleteCouncilRow(ctx.db, userId, id))) throw notFound('Council');
  return { ok: true };
}

function isServerCouncilId(id: string): boolean {
  return id.startsWith('server:');
}

/** The operator's councils come from the server's configuration: no user changes them. */
function assertWritable(id: string): void {
  if (isServerCouncilId(id)) {
    throw appError('FORBIDDEN', 'COUNCIL_READ_ONLY', "This is one of the server's councils: it cannot be changed");
  }
}

function renameTaken(name: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) {
      throw appError('CONFLICT', 'COUNCIL_NAME_TAKEN', `You already have a council named "${name}"`);
    }
    throw error;
  };
}
