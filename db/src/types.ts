import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The database schema as TypeScript sees it. Tables are snake_case in SQL and camelCase here
 * (Kysely's CamelCasePlugin translates). Keep this in step with `migrations/`.
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  passwordHash: string;
  /** Access tokens issued before this instant (to the second) are rejected. */
  tokensValidAfter: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Bumped whenever every session of the user ends; tokens of an older epoch are refused. */
  sessionEpoch: Generated<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  isAdmin: Generated<boolean>;
  /** Set while the operator has disabled the account: every call is refused. */
  disabledAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Overrides SERVER_KEY_USERS for this user (null: the policy decides). */
  serverKeyAllowed: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  /** The user's own daily caps for runs on their own key (null: none). */
  dailyTokenCap: ColumnType<number | null, number | null | undefined, number | null>;
  dailyUsdCap: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  userId: string;
  familyId: string;
  /** SHA-256 of the opaque token, hex. The token itself is never stored. */
  tokenHash: string;
  parentId: string | null;
  /** Absolute end of the family: login + 7 days, never extended by rotation. */
  expiresAt: Date;
  rotatedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revokedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  userAgent: string | null;
  /** The user's session epoch when this token was issued; it must still match to be used. */
  sessionEpoch: Generated<number>;
  /** The client address that signed in or last refreshed (shown in the session list). */
  ip: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: Timestamp;
  lastUsedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface RateLimitsTable {
  key: string;
  windowStart: Timestamp;
  count: number;
}

export interface UserApiKeysTable {
  id: Generated<string>;
  userId: string;
  provider: string;
  /** `v1.<kid>.<base64url(iv‖ciphertext‖tag)>` — AES-256-GCM. */
  encryptedKey: string;
  keyHint: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ConversationsTable {
  id: Generated<string>;
  userId: string;
  title: string;
  /** The council this conversation asks (null: the server's defaults). */
  councilModels: Json<string[] | null> | null;
  chairmanModel: string | null;
  /** Set when the conversation came in through `conversations.import`. */
  importedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Where it was started (migration 0013); `app` when not said. */
  source: ColumnType<ConversationSource, ConversationSource | undefined, ConversationSource>;
  /** The last question of the branch shown (migration 0011); null: the newest question. */
  shownQuestionId: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** Where a conversation was started: the app, a token (`api`), an MCP client, the OpenAI-compatible endpoint. */
export type ConversationSource = 'app' | 'api' | 'mcp' | 'openai';

/**
 * One searchable text (a title, a question, a stage-1 answer, a final answer), kept in step with
 * its source by triggers (migration 0008); `document` is generated from `body`.
 */
export interface SearchEntriesTable {
  sourceId: string;
  userId: string;
  conversationId: string;
  /** The message to scroll to: the question a stage-1 answer answers; null for a title. */
  messageId: string | null;
  /** `attachment` (migration 0021): a question's file, its name and text. */
  kind: 'title' | 'question' | 'answer' | 'final' | 'attachment';
  body: string;
  document: ColumnType<string, never, never>;
}

export interface MessagesTable {
  id: Generated<string>;
  conversationId: string;
  role: 'user' | 'assistant';
  content: string;
  position: number;
  runId: string | null;
  /** A question's previous question on its branch (migration 0011); null for a first question and for answers. */
  parentId: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface CouncilRunsTable {
  id: Generated<string>;
  userId: string;
  conversationId: string;
  userMessageId: string;
  clientRequestId: string | null;
  status: RunStatus;
  provider: string;
  models: Json<string[]>;
  chairmanModel: string;
  titleModel: string | null;
  labelToModel: Json<Record<string, string> | null> | null;
  aggregate: Json<unknown[] | null> | null;
  /** `{ agreement, allVotes, pairwiseWins }` of the last aggregate; null before one was computed. */
  verdict: Json<Record<string, unknown> | null> | null;
  error: Json<{ code: string; message: string; stage?: string } | null> | null;
  attempt: number;
  /** How much council: `full` (every run before modes), `ranked` (no chairman), `answers` (stage 1 only). */
  mode: ColumnType<CouncilMode, CouncilMode | undefined, CouncilMode>;
  /** The standing instructions the run was asked with (a saved council's), or null. */
  instructions: string | null;
  reasoningEffort: ColumnType<ReasoningEffort, ReasoningEffort | undefined, ReasoningEffort>;
  webSearch: ColumnType<boolean, boolean | undefined, boolean>;
  /** Whose key pays: the user's own, or the operator's fallback (budgets count these). */
  keySource: ColumnType<KeySource, KeySource | undefined, KeySource>;
  /** Tokens the run was admitted for (estimated prompts + largest answers); null for runs before the ledger. */
  reservedTokens: ColumnType<number | null, number | null | undefined, number | null>;
  host: string | null;
  heartbeatAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  startedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finishedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface CouncilResponsesTable {
  id: Generated<string>;
  runId: string;
  stage: 'stage1' | 'stage2' | 'stage3' | 'title';
  model: string;
  status: 'completed' | 'failed';
  content: string | null;
  parsedRanking: Json<string[] | null> | null;
  /** Stage 2 only: shownOrder, rankingStatus, repaired, selfRank… as carried by `review_completed`. */
  reviewDetails: Json<Record<string, unknown> | null> | null;
  error: Json<{ code: string; message: string } | null> | null;
  usage: Json<Record<string, unknown> | null> | null;
  /** Stage 1 with web search: the pages the answer cites, `[{ url, title }]` (migration 0019). */
  sources: Json<{ url: string; title: string | null }[] | null> | null;
  /** A reasoning model's thinking before its answer (migration 0022); null when it showed none. */
  reasoning: string | null;
  durationMs: number | null;
  attempt: number;
  createdAt: Timestamp;
}

export interface CouncilEventsTable {
  runId: string;
  seq: number;
  type: string;
  payload: Json<unknown>;
  createdAt: Timestamp;
}

export interface InvitesTable {
  id: Generated<string>;
  /** SHA-256 of the code, hex; the code itself is never stored. */
  codeHash: string;
  email: string | null;
  expiresAt: Date;
  usedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  usedBy: string | null;
  createdBy: string | null;
  createdAt: Timestamp;
}

export interface AuditEventsTable {
  id: Generated<number>;
  userId: string | null;
  event: string;
  ip: string | null;
  userAgent: string | null;
  /** Never anything secret: no passwords, keys, tokens or codes. */
  detail: Json<Record<string, unknown>>;
  createdAt: Timestamp;
}

export type AccessTokenScope = 'read' | 'council';

export interface PersonalAccessTokensTable {
  id: Generated<string>;
  userId: string;
  name: string;
  /** The token's first characters (`llmc_pat_Ab3x…`), shown in lists so a user can tell tokens apart. */
  prefix: string;
  /** SHA-256 of the whole token, hex. The token itself is never stored. */
  tokenHash: string;
  scopes: Json<AccessTokenScope[]>;
  expiresAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  lastUsedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  createdAt: Timestamp;
  revokedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type CouncilMode = 'full' | 'ranked' | 'answers';
export type ReasoningEffort = 'none' | 'low' | 'medium' | 'high';

/** A user's saved council: a named preset of models, chairman, mode and standing instructions. */
export interface CouncilsTable {
  id: Generated<string>;
  userId: string;
  name: string;
  models: Json<string[]>;
  chairmanModel: string;
  mode: CouncilMode;
  /** The system message of answers and chairman ('' for none); at most 8,000 characters. */
  instructions: ColumnType<string, string | undefined, string>;
  reasoningEffort: ReasoningEffort;
  webSearch: boolean;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** Whose key paid for a run or an upstream call: the user's own, or the operator's server key. */
export type KeySource = 'own' | 'server';

/** One paid upstream call. Append-only: only `runId` changes (to null, when its conversation is deleted). */
export interface SpendLedgerTable {
  id: Generated<number>;
  userId: string;
  runId: string | null;
  keySource: KeySource;
  provider: string;
  model: string;
  stage: 'stage1' | 'stage2' | 'stage3' | 'title';
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: ColumnType<number, number | undefined, never>;
  /** USD as the provider reported it; null when it reported none. */
  cost: number | null;
  createdAt: Timestamp;
}

export type AttachmentKind = 'text' | 'pdf' | 'image';

/** One file's bytes, stored once per user and content (migration 0020). */
export interface AttachmentBlobsTable {
  userId: string;
  /** SHA-256 of `data`, hex. */
  sha256: string;
  kind: AttachmentKind;
  mediaType: string;
  size: number;
  data: Uint8Array;
  /** A text file's text, a PDF's extracted text; null for images. */
  text: string | null;
  createdAt: Timestamp;
}

/** A named upload of a blob; bound to a question once `council.start` attaches it (migration 0020). */
export interface AttachmentsTable {
  id: Generated<string>;
  userId: string;
  sha256: string;
  name: string;
  /** The question it is attached to; null while unattached (such uploads expire). */
  messageId: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its place among the question's attachments. */
  position: ColumnType<number | null, number | null | undefined, number | null>;
  createdAt: Timestamp;
}

export interface Database {
  users: UsersTable;
  refreshTokens: RefreshTokensTable;
  rateLimits: RateLimitsTable;
  userApiKeys: UserApiKeysTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  councilRuns: CouncilRunsTable;
  councilResponses: CouncilResponsesTable;
  councilEvents: CouncilEventsTable;
  searchEntries: SearchEntriesTable;
  invites: InvitesTable;
  auditEvents: AuditEventsTable;
  personalAccessTokens: PersonalAccessTokensTable;
  spendLedger: SpendLedgerTable;
  councils: CouncilsTable;
  attachmentBlobs: AttachmentBlobsTable;
  attachments: AttachmentsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type RefreshToken = Selectable<RefreshTokensTable>;
export type Conversation = Selectable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type CouncilRun = Selectable<CouncilRunsTable>;
export type CouncilResponse = Selectable<CouncilResponsesTable>;
export type SavedCouncil = Selectable<CouncilsTable>;
