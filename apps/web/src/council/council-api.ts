import type { CouncilClient } from '@llm-council/sdk';

/**
 * The council procedures (`models`, `start`, `events`, `cancel`, `retry`, `get`): what the views
 * need of the client, so a test can hand in a stand-in with just these.
 */
export type CouncilApi = CouncilClient['council'];
