import { fetchTransport, type ChatTimeouts } from '@llm-council/council';
import { nodeTransport } from '@llm-council/council/node-transport';
import type { Database, Notifications } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ApiConfig, ProviderConfig } from './config.js';
import type { Logger } from './ports.js';
import { setPasswordHashProfile, setPasswordHashQueueMax } from './auth/passwords.js';
import { SessionEndHub } from './auth/session-ends.js';
import { LoadGauge } from './council/load-gauge.js';
import { ModelCatalogCache } from './council/model-catalog-cache.js';
import { RunEventHub } from './council/run-event-hub.js';
import { RunExecutor } from './council/run-executor.js';
import { StreamSlots } from './council/stream-slots.js';
import { validateApiKeyWithProvider, type KeyValidation } from './settings/key-validation.js';
import { scheduleCleanup } from './maintenance/cleanup.js';
import { MathsTypesetter } from './maths/maths.service.js';

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
    catalog: ModelCatalogCache;
    /** This process's id among the hosts sharing the database. */
    hostId: string;
    /** Live event streams per user on this host (MAX_STREAMS_PER_USER). */
    streams: StreamSlots;
  };
  /** Ends this host's streams of sessions that ended here or on another host. */
  sessions: SessionEndHub;
  /** TeX → MathML for the web client, with a cache of recent formulas (maths.render). */
  maths: MathsTypesetter;
}

export interface ServiceDeps {
  db: Kysely<Database>;
  /** Postgres LISTEN/NOTIFY (several hosts); null on the embedded database. */
  notifications: Notifications | null;
  config: ApiConfig;
  logger: Logger;
  hostId: string;
  /** The fetch used for every upstream call (tests may wrap it). */
  fetch?: typeof fetch;
  upstreamTimeouts?: Partial<ChatTimeouts>;
}

export interface ServicesHandle {
  services: Services;
  /** Listens to other hosts, sweeps abandoned runs and starts heartbeats. */
  start(): Promise<void>;
  /** Interrupts runs still going, stores their last events and stops listening. */
  shutdown(): Promise<void>;
}

/** Builds the long-lived services the host shares across requests. */
export function createServices(deps: ServiceDeps): ServicesHandle {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  setPasswordHashQueueMax(deps.config.passwordHashQueueMax);
  setPasswordHashProfile(deps.config.passwordHashProfile);
  const { events } = deps.config.council;
  const gauge: LoadGauge = new LoadGauge({
    baseIntervalMs: events.deltaIntervalMs,
    maxIntervalMs: events.maxDeltaIntervalMs,
    queuedEvents: (): number => hub.writer.queuedEvents,
  });
  const hub: RunEventHub = new RunEventHub({
    db: deps.db,
    notifications: deps.notifications,
    hostId: deps.hostId,
    logger: deps.logger,
    // Batches follow the deltas' pace: half a delta interval, so a delta waits at most that long.
    flushIntervalMs: (): number => Math.round(gauge.deltaIntervalMs() / 2),
    writeRetryWindowMs: events.writeRetryWindowSeconds * 1000,
  });
  const catalog = new ModelCatalogCache(deps.config.council, deps.config.providerRequests, fetchImpl, deps.logger);
  const executor = new RunExecutor({
    catalog,
    db: deps.db,
    hub,
    config: deps.config,
    logger: deps.logger,
    hostId: deps.hostId,
    // Chat streams are read byte by byte over node:http; an injected fetch (tests) carries them too.
    upstream: deps.fetch ? fetchTransport(deps.fetch) : nodeTransport,
    isSoleHost: deps.notifications === null,
    deltaIntervalMs: () => gauge.deltaIntervalMs(),
    ...(deps.upstreamTimeouts ? { upstreamTimeouts: deps.upstreamTimeouts } : {}),
  });
  const sessions = new SessionEndHub({ notifications: deps.notifications, logger: deps.logger });
  const services: Services = {
    validateApiKey: (provider, apiKey) =>
      validateApiKeyWithProvider(provider, apiKey, {
        fetch: fetchImpl,
        timeoutMs: deps.config.providerRequests.timeoutMs,
      }),
    council: {
      executor,
      hub,
      gauge,
      catalog,
      hostId: deps.hostId,
      streams: new StreamSlots(deps.config.streams.maxPerUser),
    },
    sessions,
    maths: new MathsTypesetter(),
  };
  let stopCleanup = (): void => undefined;
  return {
    services,
    async start() {
      await hub.start();
      await sessions.start();
      await executor.start();
      stopCleanup = scheduleCleanup({ db: deps.db, config: deps.config, logger: deps.logger, now: () => new Date() });
    },
    async shutdown() {
      stopCleanup();
      await executor.shutdown();
      await hub.close();
      sessions.close();
      gauge.stop();
    },
  };
}
