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
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface MessagesTable {
  id: Generated<string>;
  conversationId: string;
  role: 'user' | 'assistant';
  content: string;
  position: number;
  runId: string | null;
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
  personalAccessTokens: PersonalAccessTokensTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type RefreshToken = Selectable<RefreshTokensTable>;
export type Conversation = Selectable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type CouncilRun = Selectable<CouncilRunsTable>;
export type CouncilResponse = Selectable<CouncilResponsesTable>;
