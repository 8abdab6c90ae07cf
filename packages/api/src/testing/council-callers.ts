import { isTrackedEnvelope } from '@trpc/server';
import { councilEventEnvelopeSchema, type CouncilEventEnvelope } from '@llm-council/council';
import { createUser, newApiKey, saveApiKey } from './factories.js';
import type { Caller, TestApi } from './test-api.js';

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
