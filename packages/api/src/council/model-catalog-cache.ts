import { fetchModels, type ModelInfo } from '@llm-council/council';
import type { CouncilDefaults, ProviderConfig, ProviderRequests } from '../config.js';
import type { Logger } from '../ports.js';
import { appError } from '../errors.js';

export interface Catalog {
  models: ModelInfo[];
  /** `catalog`: the provider's live list; `configured`: our defaults, because the provider's list was unavailable. */
  source: 'catalog' | 'configured';
}

/**
 * The models a provider offers, from `{base}/models`, cached per provider for the configured time. When
 * the provider cannot be reached the configured defaults stand in, so the app keeps working.
 */
export class ModelCatalogCache {
  private readonly cache = new Map<string, { catalog: Catalog; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<Catalog>>();

  constructor(
    private readonly defaults: CouncilDefaults,
    private readonly requests: ProviderRequests,
    private readonly fetchImpl: typeof fetch,
    private readonly logger: Logger,
  ) {}

  async list(provider: ProviderConfig): Promise<Catalog> {
    const cached = this.cache.get(provider.id);
    if (cached && cached.expiresAt > Date.now()) return cached.catalog;
    let pending = this.inFlight.get(provider.id);
    if (!pending) {
      pending = this.load(provider).finally(() => this.inFlight.delete(provider.id));
      this.inFlight.set(provider.id, pending);
    }
    return pending;
  }

  /** Each model's context window, when the catalog knows it; used to cut long histories to fit. */
  async contextLengths(provider: ProviderConfig, modelIds: string[]): Promise<Record<string, number | null>> {
    const { models } = await this.list(provider);
    return Object.fromEntries(modelIds.map((id) => [id, models.find((m) => m.id === id)?.contextLength ?? null]));
  }

  /** Per model: its catalogue entry lists image input (`architecture.input_modalities`); unknown is false. */
  async imageInput(provider: ProviderConfig, modelIds: string[]): Promise<Record<string, boolean>> {
    const { models } = await this.list(provider);
    return Object.fromEntries(
      modelIds.map((id) => [id, models.find((m) => m.id === id)?.inputModalities?.includes('image') === true]),
    );
  }

  /**
   * Per model: whether reasoning effort may be sent. False only when the catalogue lists the model's
   * parameters without `reasoning`; a model it does not describe gets the benefit of the doubt
   * (OpenRouter ignores a parameter a model does not take).
   */
  async reasoningSupport(provider: ProviderConfig, modelIds: string[]): Promise<Record<string, boolean>> {
    const { models } = await this.list(provider);
    return Object.fromEntries(
      modelIds.map((id) => {
        const listed = models.find((m) => m.id === id)?.supportedParameters;
        return [id, listed === undefined || listed.includes('reasoning')];
      }),
    );
  }

  /** Refuses model ids the provider does not offer (and that we did not configure). */
  async assertKnown(provider: ProviderConfig, modelIds: string[]): Promise<void> {
    const { models } = await this.list(provider);
    const known = new Set([...models.map((m) => m.id), ...this.configuredIds()]);
    const unknown = modelIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw appError(
        'BAD_REQUEST',
        'UNKNOWN_MODEL',
        `Unknown model${unknown.length > 1 ? 's' : ''} for ${provider.label}: ${unknown.join(', ')}`,
      );
    }
  }

  private async load(provider: ProviderConfig): Promise<Catalog> {
    try {
      const models = await fetchModels({
        baseUrl: provider.baseUrl,
        fetch: this.fetchImpl,
        signal: AbortSignal.timeout(this.requests.timeoutMs),
      });
      const catalog: Catalog = { models, source: 'catalog' };
      this.cache.set(provider.id, { catalog, expiresAt: Date.now() + this.requests.modelListTtlSeconds * 1000 });
      return catalog;
    } catch (error) {
      this.logger.warn({ err: error, provider: provider.id }, 'model catalog unavailable; using configured models');
      const catalog: Catalog = {
        models: this.configuredIds().map((id) => ({ id, name: id, contextLength: null, pricing: null })),
        source: 'configured',
      };
      this.cache.set(provider.id, { catalog, expiresAt: Date.now() + this.requests.modelListRetrySeconds * 1000 });
      return catalog;
    }
  }

  private configuredIds(): string[] {
    const { models, chairmanModel, titleModel } = this.defaults;
    return [...new Set([...models, chairmanModel, ...(titleModel ? [titleModel] : [])])];
  }
}
