import { isUsingRealPostgres } from '@llm-council/db/testing';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { setTitleIfPlaceholder } from '../conversations/conversations.service.js';
import { DEFAULT_TITLE } from '../constants.js';
import { createConversation, createUser } from '../testing/factories.js';
import { apiTest as test } from '../testing/test-api.js';
import { lockConversation, lockUserRuns } from './council-runs.repository.js';

// The locks that serialise run starts must not block rows that only reference the locked row.
// With `FOR UPDATE` they did: a start held the user and waited for the conversation, while the
// event writer held the conversation (storing a title) and its search entry's foreign-key check
// waited for the user — PostgreSQL broke the deadlock by failing the writer, and the run was
// interrupted. Two transactions at once need two connections: PostgreSQL only.

test.skipIf(!isUsingRealPostgres())(
  'a held run-start lock lets another transaction store a title, whose search entry references the user',
  async ({ api }) => {
    const user = await createUser(api.db);
    const conversation = await createConversation(api.db, user.id, { title: DEFAULT_TITLE });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));

    const holder = api.db.transaction().execute(async (trx) => {
      await lockUserRuns(trx, user.id);
      locked();
      await released;
    });
    await isLocked;
    try {
      // What the event writer does when a title arrives; it must not wait for the holder.
      await api.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL lock_timeout = '3s'`.execute(trx);
        await lockConversation(trx, conversation.id);
        await setTitleIfPlaceholder(trx, conversation.id, 'Bridges and their loads', DEFAULT_TITLE);
      });
    } finally {
      release();
      await holder;
    }
    const row = await api.db
      .selectFrom('searchEntries')
      .select('userId')
      .where('conversationId', '=', conversation.id)
      .where('kind', '=', 'title')
      .executeTakeFirst();
    expect(row?.userId).toBe(user.id);
  },
);
