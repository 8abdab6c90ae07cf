import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { migrateToLatest, migrateToNone } from './migrator.js';
import { createTestDb } from './testing.js';

async function listTables(db: Parameters<typeof migrateToLatest>[0]): Promise<string[]> {
  const { rows } = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%'
    order by tablename`.execute(db);
  return rows.map((r) => r.tablename);
}

test('migrations go up, all the way down, and up again', async () => {
  const handle = await createTestDb({ migrate: false });
  try {
    const first = await migrateToLatest(handle.db);
    expect(first.applied).toEqual([
      '0001_create_users',
      '0002_create_user_api_keys',
      '0003_create_conversations',
      '0004_create_council_runs',
      '0005_add_review_details',
      '0006_add_session_epochs',
      '0007_add_operator_controls',
      '0008_create_search_entries',
      '0009_create_personal_access_tokens',
      '0010_create_spend_ledger',
      '0011_add_message_branches',
      '0013_add_conversation_source',
      '0016_add_council_modes',
      '0019_add_answer_sources',
      '0020_create_attachments',
      '0021_add_attachment_search',
      '0022_add_answer_reasoning',
    ]);
    expect(await listTables(handle.db)).toContain('council_events');

    const again = await migrateToLatest(handle.db);
    expect(again.applied).toEqual([]); // idempotent

    const down = await migrateToNone(handle.db);
    expect(down.applied).toHaveLength(first.applied.length);
    expect(await listTables(handle.db)).toEqual([]);

    const up = await migrateToLatest(handle.db);
    expect(up.applied).toHaveLength(first.applied.length);
    expect(await listTables(handle.db)).toEqual([
      'attachment_blobs',
      'attachments',
      'audit_events',
      'conversations',
      'council_events',
      'council_responses',
      'council_runs',
      'councils',
      'invites',
      'messages',
      'personal_access_tokens',
      'rate_limits',
      'refresh_tokens',
      'search_entries',
      'spend_ledger',
      'user_api_keys',
      'users',
    ]);
  } finally {
    await handle.close();
  }
});

test('emails are unique regardless of case', async () => {
  const handle = await createTestDb();
  try {
    await handle.db.insertInto('users').values({ email: 'a@x.io', passwordHash: 'h' }).execute();
    await expect(
      handle.db.insertInto('users').values({ email: 'A@X.io', passwordHash: 'h' }).execute(),
    ).rejects.toThrow(/unique|duplicate/i);
  } finally {
    await handle.close();
  }
});
