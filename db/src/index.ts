export { isConnectionError } from './connection-errors.js';
export { createDb, type DbConfig, type DbHandle } from './create-db.js';
export {
  listPendingMigrations,
  migrateDown,
  migrateToLatest,
  migrateToNone,
  type MigrationOutcome,
} from './migrator.js';
export type { NotificationHandler, Notifications } from './notifications.js';
export type * from './types.js';
