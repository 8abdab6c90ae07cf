import { isTrackedEnvelope } from '@trpc/server';
import { councilEventEnvelopeSchema, type CouncilEventEnvelope } from '@llm-council/council';
import type { ModelInfo } from '@llm-council/council';
import { startFakeUpstream } from '@llm-council/council/fake-upstream';
import { test as base } from 'vitest';
import type { ApiConfig } from '../config.js';
import { createUser, newApiKey, saveApiKey } from './factories.js';
import { openTestApi, type Caller, type TestApi } from './test-api.js';
import { createTestApiConfig } from './test-config.js';

/**
 * A `test` with a fake upstream (`upstream`) and an API on it (`api`), each started once and
 * shared by the file's tests. `tokenDelayMs` paces every streamed token; `tune` adjusts the config;
 * `models` is the catalogue the fake lists (and the only models it answers for).
 */
export function councilApiTest(
  options: { tokenDelayMs?: number; tune?: (config: ApiConfig) => ApiConfig; models?: ModelInfo[] } = {},
) {
  return base
    .extend('upstream', { scope: 'file' }, async ({}, { onCleanup }) => {
      const upstream = await startFakeUpstream({
        defaultBehavior: { tokenDelayMs: options.tokenDelayMs ?? 0 },
        ...(options.models && { models: options.models }),
      });
      onCleanup(() => upstream.close());
      return upstream;
    })
    .extend('api', { scope: 'file' }, async ({ upstream }, { onCleanup }) => {
      const config = createTestApiConfig({ providerUrl: upstream.url });
      const api = await openTestApi({ config: options.tune ? options.tune(config) : config });
      onCleanup(() => api.close());
      return api;
    });
}

/** A user with a key of their own, signed in, with an empty conversation. */
export async function signUpWithKey(api: TestApi): Promise<{ caller: Caller; conversationId: string }> {
  const user = await createUser(api.db);
  await saveApiKey(api.db, api.config, user.id, newApiKey());
  const caller = await api.callerFor(user);
  const { id } = await caller.conversations.create({});
  return { caller, conversationId: id };
}

/** Every event `council.events` yields until the stream ends (it ends once the run is over). */
export async function followRun(caller: Caller, runId: string, lastEventId?: string): Promise<CouncilEventEnvelope[]> {
  const received: CouncilEventEnvelope[] = [];
  const stream = await caller.council.events({ runId, lastEventId });
  // createCaller hands out tRPC's tracked envelopes ([id, data]); read the event back as a client would.
  for await (const item of stream) {
    received.push(councilEventEnvelopeSchema.parse(isTrackedEnvelope(item) ? item[1] : item));
  }
  return received;
}
