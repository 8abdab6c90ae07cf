import { sql, type Kysely } from 'kysely';

/**
 * Branches (issue 19 §3): a question may have several versions. Each question names the question
 * it follows (`parent_id`; null for a first question), so an edited question is a sibling of the
 * one it replaces and the old turn stays with its run. Answers are not in the tree: they hang off
 * their question through the run. `conversations.shown_question_id` is the last question of the
 * branch the owner looks at; null means the newest question (always a leaf).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('parent_id', 'uuid', (c) => c.references('messages.id').onDelete('cascade'))
    .execute();
  // Every question asked so far follows the question before it: one straight branch.
  await sql`
    UPDATE messages m SET parent_id = (
      SELECT p.id FROM messages p
      WHERE p.conversation_id = m.conversation_id AND p.role = 'user' AND p.position < m.position
      ORDER BY p.position DESC LIMIT 1
    ) WHERE m.role = 'user'`.execute(db);
  await db.schema.createIndex('messages_parent_idx').on('messages').column('parent_id').execute();
  await db.schema
    .alterTable('conversations')
    .addColumn('shown_question_id', 'uuid', (c) => c.references('messages.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('shown_question_id').execute();
  await db.schema.dropIndex('messages_parent_idx').execute();
  await db.schema.alterTable('messages').dropColumn('parent_id').execute();
}
