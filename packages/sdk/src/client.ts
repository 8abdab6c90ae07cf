import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import type { AppRouter } from '@llm-council/api';
import { MAX_BATCH_SIZE } from '@llm-council/api/constants';
import { ask, followRun, type AskOptions, type FollowOptions, type RunEventEnvelope } from './ask.js';
import { askCouncil, type AskCouncilOptions, type CouncilAnswer } from './ask-council.js';
import { sendAttachmentRequest, type Attachment } from './attachments.js';
import { refreshAwareLink } from './refresh-link.js';
import { SessionKeeper, type Transport } from './session-keeper.js';
import { memoryTokenStore, type TokenStore } from './token-store.js';

export interface CouncilClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:3000` (the SDK talks to `<url>/trpc`). */
  url: string;
  /** Where tokens live; defaults to memory. */
  tokenStore?: TokenStore;
  /**
   * A personal access token (`llmc_pat_…`, from Settings → Access tokens or `tokens.create`), for
   * scripts: sent as `Authorization: Bearer` on every call, never refreshed. It can do only what
   * its scopes allow (`read`, `council`); account management needs a password session.
   */
  token?: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
  /**
   * How the refresh token travels: `cookie` (HttpOnly cookie; the default in browsers) or `body`
   * (kept in the token store; the default elsewhere).
   */
  transport?: Transport;
  /** Called when the session is over (refresh failed): show the sign-in screen here. */
  onSessionExpired?: () => void;
}

export type CouncilClient = TRPCClient<AppRouter> & {
  /**
   * Signs in again from the stored refresh token (or the browser's cookie): true when it worked,
   * false when the server says the session is over (the store is then cleared). Rejects when the
   * server could not be asked (no network, a server error), keeping the stored session.
   */
  restoreSession(): Promise<boolean>;
  /** The current access token, if any (e.g. to hand to another tool). */
  getAccessToken(): Promise<string | null>;
  /**
   * Asks the council and yields the run's events until it ends, surviving dropped connections.
   *
   * @example
   * for await (const { event } of client.ask(conversationId, 'Why is the sky blue?')) {
   *   if (event.type === 'model_delta') process.stdout.write(event.text);
   * }
   */
  ask(
    conversationId: string | null,
    content: string,
    options?: AskOptions,
  ): AsyncGenerator<RunEventEnvelope, void, undefined>;
  /**
   * Asks the council one question and resolves with the outcome: `{ conversationId, runId,
   * answer, verdict, ranking, usage }`. A new conversation unless `conversationId` is given;
   * `onEvent` sees every event on the way.
   *
   * @example
   * const { answer, ranking } = await client.askCouncil('Why is the sky blue?');
   */
  askCouncil(question: string, options?: AskCouncilOptions): Promise<CouncilAnswer>;
  /** Follows an existing run's events (resuming after `lastEventId` if given). */
  followRun(runId: string, options?: FollowOptions): AsyncGenerator<RunEventEnvelope, void, undefined>;
  // Uploads a file for `council.start({ attachmentIds })`; rejects with an `AttachmentError`.
  uploadAttachment(file: Blob, name: string): Promise<Attachment>;
  downloadAttachment(id: string): Promise<Blob>;
};

/**
 * Creates the typed client for every router (`auth`, `settings`, `conversations`, `council`).
 * Tokens returned by `auth.*` are stored automatically; an expired session token is refreshed
 * transparently (once, however many calls are waiting) and the call retried.
 *
 * @example
 * import { createCouncilClient } from '@llm-council/sdk';
 * const client = createCouncilClient({ url: 'http://127.0.0.1:3000' });
 * await client.auth.register.mutate({ email: 'ada@example.com', password: 'a long passphrase' });
 * const me = await client.auth.me.query();
 * const conversation = await client.conversations.create.mutate({ title: 'Hello' });
 *
 * @example
 * // A script with a personal access token (no password, no refresh):
 * const client = createCouncilClient({ url: 'http://127.0.0.1:3000', token: process.env.LLM_COUNCIL_TOKEN });
 * const { items } = await client.conversations.list.query({ limit: 10 });
 */
export function createCouncilClient(options: CouncilClientOptions): CouncilClient {
  if (options.token !== undefined && options.tokenStore !== undefined) {
    throw new TypeError('createCouncilClient: pass either `token` or `tokenStore`, not both');
  }
  const baseUrl = `${options.url.replace(/\/+$/, '')}/trpc`;
  const transport: Transport = options.transport ?? (isBrowser() ? 'cookie' : 'body');
  const baseFetch = options.fetch ?? globalThis.fetch;
  // Cookie mode must send the refresh cookie even when the API is on another origin (dev proxy).
  const fetchImpl: typeof fetch =
    transport === 'cookie' ? (input, init) => baseFetch(input, { ...init, credentials: 'include' }) : baseFetch;

  const refreshClient = createTRPCClient<AppRouter>({ links: [httpLink({ url: baseUrl, fetch: fetchImpl })] });
  const session = new SessionKeeper(
    options.tokenStore ?? memoryTokenStore(),
    transport,
    refreshClient,
    options.onSessionExpired,
  );
  const staticToken = options.token;
  const attachmentsUrl = `${options.url.replace(/\/+$/, '')}/api/attachments`;
  const refresh = () => (staticToken === undefined ? session.refresh() : Promise.resolve(false));
  const authorize = async (): Promise<Record<string, string>> => {
    const token = staticToken ?? (await session.accessToken());
    return token ? { Authorization: `Bearer ${token}` } : {};
  };

  const client = createTRPCClient<AppRouter>({
    links: [
      // An access token has no refresh: an UNAUTHORIZED answer is final and reaches the caller.
      ...(staticToken === undefined ? [refreshAwareLink(session)] : []),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: baseUrl,
          EventSource,
          // Runs on every (re)connect, so a reconnect always carries the current token.
          eventSourceOptions: () => ({
            fetch: async (input, init) =>
              fetchImpl(input, {
                ...init,
                headers: { ...(init?.headers as Record<string, string>), ...(await authorize()) },
              }),
          }),
        }),
        false: splitLink({
          // A batch gets the smallest body limit of its calls (the server's rule), so an import,
          // the one call with a large body, always travels alone.
          condition: (op) => op.path === 'conversations.import',
          true: httpLink({ url: baseUrl, fetch: fetchImpl, headers: authorize }),
          false: splitLink({
            // maths.render is a query whose input (up to 50,000 characters of TeX, each backslash
            // six bytes once escaped) cannot travel in a URL: it is sent as a POST body instead.
            condition: (op) => op.path === 'maths.render',
            true: httpBatchLink({
              url: baseUrl,
              fetch: fetchImpl,
              headers: authorize,
              maxItems: MAX_BATCH_SIZE,
              methodOverride: 'POST',
            }),
            // Calls that may set cookies must not stream; a plain batch link answers in one piece.
            false: httpBatchLink({ url: baseUrl, fetch: fetchImpl, headers: authorize, maxItems: MAX_BATCH_SIZE }),
          }),
        }),
      }),
    ],
  });

  return withExtraMethods(client, {
    restoreSession: () => (staticToken === undefined ? session.refresh() : Promise.resolve(false)),
    getAccessToken: () => (staticToken === undefined ? session.accessToken() : Promise.resolve(staticToken)),
    ask: (conversationId: string | null, content: string, askOptions?: AskOptions) =>
      ask(client, conversationId, content, askOptions),
    askCouncil: (question: string, askOptions?: AskCouncilOptions) => askCouncil(client, question, askOptions),
    followRun: (runId: string, followOptions?: FollowOptions) => followRun(client, runId, followOptions),
    uploadAttachment: async (file: Blob, name: string) => {
      const form = () => {
        const body = new FormData();
        body.append('file', file, name);
        return { method: 'POST', body };
      };
      const response = await sendAttachmentRequest(fetchImpl, authorize, refresh, attachmentsUrl, form);
      return (await response.json()) as Attachment;
    },
    downloadAttachment: async (id: string) => {
      const url = `${attachmentsUrl}/${encodeURIComponent(id)}`;
      return (await sendAttachmentRequest(fetchImpl, authorize, refresh, url, () => ({}))).blob();
    },
  });
}

/**
 * tRPC's client is a Proxy that reads every property as a procedure path, so methods assigned
 * onto it with `Object.assign` are unreachable (they land on the proxy's hidden target). A
 * wrapping Proxy answers our own methods first and hands everything else to tRPC.
 */
function withExtraMethods<T extends object, E extends Record<string, unknown>>(client: T, extras: E): T & E {
  return new Proxy(client, {
    get: (target, key, receiver) =>
      typeof key === 'string' && Object.hasOwn(extras, key) ? extras[key] : Reflect.get(target, key, receiver),
  }) as T & E;
}

function isBrowser(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== 'undefined';
}
