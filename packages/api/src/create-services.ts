import type { ChatTimeouts } from '@llm-council/council';
import type { Database, ListenFn } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ApiConfig, ProviderConfig } from './config.js';
import type { Logger } from './ports.js';
import { ModelCatalogCache } from './council/model-catalog-cache.js';
import { createRunEventBus, type RunEventBus } from './council/run-event-bus.js';
import { RunExecutor } from './council/run-executor.js';
import { validateApiKeyWithProvider, type KeyValidation } from './settings/key-validation.js';

/**
 * Long-lived collaborators the host builds once and shares across requests (context is data;
 * these are the pieces with state or I/O beyond the database).
 */
export interface Services {
  /** Checks a key with the provider; throws API_KEY_REJECTED when the provider refuses it. */
  validateApiKey(provider: ProviderConfig, apiKey: string): Promise<KeyValidation>;
  council: {
    executor: RunExecutor;
    bus: RunEventBus;
    catalog: ModelCatalogCache;
    /** This process's id among the hosts sharing the database. */
    hostId: string;
  };
}

export interface ServiceDeps {
  db: Kysely<Database>;
  /** Postgres LISTEN (several hosts); null on the embedded database. */
  listen: ListenFn | null;
  config: ApiConfig;
  logger: Logger;
  hostId: string;
  /** The fetch used for every upstream call (tests may wrap it). */
  fetch?: typeof fetch;
  upstreamTimeouts?: Partial<ChatTimeouts>;
}

export interface ServicesHandle {
  services: Services;
  /** Sweeps abandoned runs and starts heartbeats. */
  start(): Promise<void>;
  /** Interrupts runs still going and stops listening. */
  shutdown(): Promise<void>;
}

/** Builds the long-lived services the host shares across requests. */
export async function createServices(deps: ServiceDeps): Promise<ServicesHandle> {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const bus = await createRunEventBus(deps.db, deps.listen);
  const executor = new RunExecutor({
    db: deps.db,
    bus,
    config: deps.config,
    logger: deps.logger,
    hostId: deps.hostId,
    fetch: fetchImpl,
    isSoleHost: deps.listen === null,
    ...(deps.upstreamTimeouts ? { upstreamTimeouts: deps.upstreamTimeouts } : {}),
  });
  const services: Services = {
    validateApiKey: (provider, apiKey) =>
      validateApiKeyWithProvider(provider, apiKey, {
        fetch: fetchImpl,
        timeoutMs: deps.config.providerRequests.timeoutMs,
      }),
    council: {
      executor,
      bus,
      catalog: new ModelCatalogCache(deps.config.council, deps.config.providerRequests, fetchImpl, deps.logger),
      hostId: deps.hostId,
    },
  };
  return {
    services,
    start: () => executor.start(),
    async shutdown() {
      await executor.shutdown();
      await bus.close();
    },
  };
}
