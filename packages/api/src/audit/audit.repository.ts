import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';

type Db = Kysely<Database>;

export interface AuditRow {
  event: string;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

export async function insertAuditEvent(
  db: Db,
  values: {
    userId: string | null;
    event: string;
    ip: string | null;
    userAgent: string | null;
    detail: Record<string, unknown>;
    createdAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('auditEvents')
    .values({ ...values, detail: JSON.stringify(values.detail) })
    .execute();
}

/** The user's most recent security events, newest first. */
export async function listAuditEventsOfUser(db: Db, userId: string, limit: number): Promise<AuditRow[]> {
  return db
    .selectFrom('auditEvents')
    .select(['event', 'ip', 'userAgent', 'detail', 'createdAt'])
    .where('userId', '=', userId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
