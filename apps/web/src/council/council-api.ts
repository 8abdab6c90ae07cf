import type { CouncilClient } from '@llm-council/sdk';

/** The council procedures (`models`, `start`, `events`, `cancel`, `retry`, `get`). */
export type CouncilApi = CouncilClient['council'];

/** What the views need of the client; a test can hand in a stand-in with just these procedures. */
export function councilApi(client: CouncilClient): CouncilApi {
  return client.council;
}
