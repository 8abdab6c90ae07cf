import type { Kysely } from 'kysely';
import {
  Migrator,
  NO_MIGRATIONS,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely/migration';
import * as m0001 from './migrations/0001_create_users.js';
import * as m0002 from './migrations/0002_create_user_api_keys.js';
import * as m0003 from './migrations/0003_create_conversations.js';
import * as m0004 from './migrations/0004_create_council_runs.js';
import * as m0005 from './migrations/0005_add_review_details.js';
import * as m0006 from './migrations/0006_add_session_epochs.js';
import * as m0007 from './migrations/0007_add_operator_controls.js';
import * as m0008 from './migrations/0008_create_search_entries.js';
import * as m0009 from './migrations/0009_create_personal_access_tokens.js';
import * as m0010 from './migrations/0010_create_spend_ledger.js';
import * as m0011 from './migrations/0011_add_message_branches.js';
import * as m0013 from './migrations/0013_add_conversation_source.js';
import * as m0016 from './migrations/0016_add_council_modes.js';
import * as m0019 from './migrations/0019_add_answer_sources.js';
import * as m0020 from './migrations/0020_create_attachments.js';
import * as m0021 from './migrations/0021_add_attachment_search.js';
import * as m0022 from './migrations/0022_add_answer_reasoning.js';

// A static provider: explicit imports survive bundling, unlike FileMigrationProvider.
const migrations: Record<string, Migration> = {
  '0001_create_users': m0001,
  '0002_create_user_api_keys': m0002,
  '0003_create_conversations': m0003,
  '0004_create_council_runs': m0004,
  '0005_add_review_details': m0005,
  '0006_add_session_epochs': m0006,
  '0007_add_operator_controls': m0007,
  '0008_create_search_entries': m0008,
  '0009_create_personal_access_tokens': m0009,
  '0010_create_spend_ledger': m0010,
  '0011_add_message_branches': m0011,
  '0013_add_conversation_source': m0013,
  '0016_add_council_modes': m0016,
  '0019_add_answer_sources': m0019,
  '0020_create_attachments': m0020,
  '0021_add_attachment_search': m0021,
  '0022_add_answer_reasoning': m0022,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

export interface MigrationOutcome {
  applied: string[];
  direction: 'Up' | 'Down';
}

/** Applies every pending migration. On Postgres Kysely holds an advisory lock, so concurrent hosts are safe. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationOutcome> {
  return unwrap(await createMigrator(db).migrateToLatest(), 'Up');
}

/** Reverts the most recent migration. */
export async function migrateDown(db: Kysely<any>): Promise<MigrationOutcome> {
  return unwrap(await createMigrator(db).migrateDown(), 'Down');
}

/** Reverts every migration (tests use it to prove `down` works). */
export async function migrateToNone(db: Kysely<any>): Promise<MigrationOutcome> {
  return unwrap(await createMigrator(db).migrateTo(NO_MIGRATIONS), 'Down');
}

/** Migrations this code knows that the database has not applied (readiness: empty when current). */
export async function listPendingMigrations(db: Kysely<any>): Promise<string[]> {
  const known = await createMigrator(db).getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

function createMigrator(db: Kysely<any>): Migrator {
  // Migration numbers were handed out to parallel work up front, so a database may have run 0009
  // before 0006 exists; unordered migrations run in name order among the pending ones.
  return new Migrator({ db, provider, allowUnorderedMigrations: true });
}

function unwrap({ error, results }: MigrationResultSet, direction: 'Up' | 'Down'): MigrationOutcome {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(unknown)'} failed`, { cause: error });
  }
  return {
    direction,
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
