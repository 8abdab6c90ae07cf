import type { ProviderConfig } from './config.js';
import type { ModelCatalog } from './council/model-catalog.js';
import type { LoadGauge } from './council/load-gauge.js';
import type { RunEventHub } from './council/run-event-hub.js';
import type { RunExecutor } from './council/run-executor.js';

/** What a provider said about a key when it was saved. */
export type KeyValidation =
  | {
      status: 'valid';
      label: string | null;
      /** Credit limit in USD, null when unlimited. */
      limit: number | null;
      limitRemaining: number | null;
      usage: number | null;
      isFreeTier: boolean | null;
    }
  /**
   * Accepted without a check: `no-endpoint` — the provider has no key endpoint (Ollama,
   * llama.cpp); `unreachable` — the provider could not be asked just now (the first run will tell).
   */
  | { status: 'unvalidated'; reason: 'no-endpoint' | 'unreachable' };

/**
 * Long-lived collaborators the host builds once and shares across requests (context is data;
 * these are the pieces with state or I/O beyond the database).
 */
export interface Services {
  /** Checks a key with the provider; throws API_KEY_REJECTED when the provider refuses it. */
  validateApiKey(provider: ProviderConfig, apiKey: string): Promise<KeyValidation>;
  council: {
    executor: RunExecutor;
    hub: RunEventHub;
    gauge: LoadGauge;
    catalog: ModelCatalog;
    /** This process's id among the hosts sharing the database. */
    hostId: string;
  };
}
