export { createDb, type DbConfig, type DbHandle, type ListenFn } from './create-db.js';
export { migrateDown, migrateToLatest, migrateToNone, type MigrationOutcome } from './migrator.js';
export type * from './types.js';
