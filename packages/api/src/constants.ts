/**
 * Limits and names that the server, the SDK and the web client must agree on. The API validates
 * with them, the host checks its configuration against them, and the web client shows them (a
 * character counter, a model picker that stops at the maximum). Dependency-free like
 * `error-codes.ts`: the SDK bundles this file, so nothing here may import.
 */

/** A council asks at least two models (one model cannot be ranked by its peers) and at most eight. */
export const COUNCIL_MIN_MODELS = 2;
export const COUNCIL_MAX_MODELS = 8;

/** The longest question a user may send, in characters. */
export const MESSAGE_MAX_LENGTH = 100_000;

/** The longest conversation title, in characters. */
export const TITLE_MAX_LENGTH = 200;
/** A saved council's standing instructions (its system message), in characters. */
export const INSTRUCTIONS_MAX_LENGTH = 8_000;

/**
 * The most calls one batched HTTP request may carry. The server refuses larger batches (400); the
 * SDK's batch link splits at the same size. Without a bound one request could queue hundreds of
 * argon2 checks or database round trips ahead of everybody else.
 */
export const MAX_BATCH_SIZE = 50;

/** One `maths.render` call: formulas of ≤ 4,000 characters, ≤ 200 of them, ≤ 50,000 characters in all. */
export const MATHS_FORMULA_MAX_LENGTH = 4_000;
export const MATHS_MAX_FORMULAS = 200;
export const MATHS_MAX_TOTAL_LENGTH = 50_000;

/**
 * Where a conversation was started: `app` (a password session), `api` (a personal access token),
 * `mcp` (an MCP client), `openai` (the OpenAI-compatible endpoint). The database checks the same four.
 */
export const conversationSources = ['app', 'api', 'mcp', 'openai'] as const;
export type ConversationSource = (typeof conversationSources)[number];

/** Earlier turns a new conversation may be given (`conversations.create({ history })`). */
export const CONVERSATION_HISTORY_MAX_TURNS = 50;

/** The title of a conversation until the title model (or the user) names it. */
export const DEFAULT_TITLE = 'New Conversation';

/** The provider a key is saved under, and a run uses, when the caller names none. */
export const DEFAULT_PROVIDER_ID = 'openrouter';

/** Every state a council run can be in; the database's check constraint lists the same six. */
export const runStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** A run in one of these states is still producing events (and counts against the user's limit). */
export const activeRunStatuses = ['queued', 'running'] as const satisfies readonly RunStatus[];

/** A run that ended in one of these states can be resumed with `council.retry`. */
export const retryableRunStatuses = ['failed', 'cancelled', 'interrupted'] as const satisfies readonly RunStatus[];

export function isActiveRunStatus(status: RunStatus): boolean {
  return (activeRunStatuses as readonly RunStatus[]).includes(status);
}

export function isRetryableRunStatus(status: RunStatus): boolean {
  return (retryableRunStatuses as readonly RunStatus[]).includes(status);
}

/** Who may create an account: anyone, holders of an invite, or nobody (REGISTRATION). */
export const registrationModes = ['open', 'invite', 'closed'] as const;
export type RegistrationMode = (typeof registrationModes)[number];

/** Who may run on the operator's fallback key unless their per-user flag says otherwise (SERVER_KEY_USERS). */
export const serverKeyPolicies = ['all', 'admins', 'none'] as const;
export type ServerKeyPolicy = (typeof serverKeyPolicies)[number];

/** Every personal access token starts with this, so a leaked one is recognisable (and scannable). */
export const ACCESS_TOKEN_PREFIX = 'llmc_pat_';

/** What a personal access token may do: `read` conversations, or run the `council`. */
export const accessTokenScopes = ['read', 'council'] as const;
export type AccessTokenScope = (typeof accessTokenScopes)[number];

/** Live (unrevoked) personal access tokens one user may hold. */
export const ACCESS_TOKENS_PER_USER = 20;

/** The longest expiry a personal access token may be given, in days. */
export const ACCESS_TOKEN_MAX_EXPIRY_DAYS = 366;

/** A token created without `expiresInDays` expires after this many days (`null` asks for no expiry). */
export const ACCESS_TOKEN_DEFAULT_EXPIRY_DAYS = 90;

/** A token's name, as shown in the list. */
export const ACCESS_TOKEN_NAME_MAX_LENGTH = 100;

/** The verdict's headline in plain words: the same in the web app, the Markdown export and the CLI. */
export const verdictHeadlines = {
  clear_winner: 'Clear winner',
  close: 'Close',
  split: 'Split',
  unranked: 'No peer ranking',
} as const;

/**
 * The places of a peer ranking, best first: equal scores share a place (1, 1, 3) and there is no
 * tie-break. Rows stored when the server still split equal scores by head-to-head wins come out
 * shared too; rows stored before scores were kept share on equal average ranks.
 */
export function sharedPlaces(
  rows: readonly { score?: number | undefined; averageRank?: number | undefined }[],
): number[] {
  return rows.map((row, index) => {
    const isEqual = (other: (typeof rows)[number]) =>
      row.score !== undefined && other.score !== undefined
        ? Math.abs(other.score - row.score) < 1e-9
        : other.averageRank === row.averageRank;
    const first = rows.findIndex(isEqual);
    return (first === -1 ? index : first) + 1;
  });
}

// The id of an operator's council (`server:<slug>`) and the `council/<slug>` model of /v1.
/** `Senior SRE (brief)` → `senior-sre-brief`. */
export function councilSlug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Attachments (`POST /api/attachments`, `council.start({ attachmentIds })`): what a file may be
 * and how many a question may carry. The kind is read from the bytes, never the name.
 */
export const attachmentLimits = {
  /** A text or code file: valid UTF-8. */
  textMaxBytes: 1024 * 1024,
  /** A PDF; its text is extracted on the server. */
  pdfMaxBytes: 10 * 1024 * 1024,
  /** The most pages of a PDF read for text. */
  pdfMaxPages: 200,
  /** A PNG, JPEG, WebP or GIF image. */
  imageMaxBytes: 10 * 1024 * 1024,
  /** Files one question may carry, and their total size. */
  perQuestion: 10,
  perQuestionMaxBytes: 20 * 1024 * 1024,
  /** The longest file name kept, in characters. */
  nameMaxLength: 200,
  /** An upload not attached to a question within this many hours is deleted. */
  unattachedTtlHours: 24,
} as const;

/** What an attachment is, as read from its bytes. */
export const attachmentKinds = ['text', 'pdf', 'image'] as const;
export type AttachmentKind = (typeof attachmentKinds)[number];
