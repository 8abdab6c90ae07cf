import { z } from 'zod';
import { UpstreamError, errorForAbort, errorForStatus } from './upstream.errors.js';

export interface ModelInfo {
  id: string;
  name: string;
  contextLength: number | null;
  /** USD per token, when the provider publishes prices (OpenRouter does, local servers do not). */
  pricing: { prompt: number; completion: number } | null;
  /**
   * What the model reads (`architecture.input_modalities`: `text`, `image`, `file`…); unset when the
   * provider does not say. Images are sent only to a model that lists `image`.
   */
  inputModalities?: string[];
  /**
   * The request parameters the model accepts (`supported_parameters`); unset when the provider does
   * not say. Reasoning effort is sent only to a model that lists `reasoning`, when the list is known.
   */
  supportedParameters?: string[];
}

export interface KeyInfo {
  label: string | null;
  /** Credit limit in USD, null when unlimited. */
  limit: number | null;
  limitRemaining: number | null;
  usage: number | null;
  isFreeTier: boolean | null;
}

export type KeyCheck = { status: 'valid'; info: KeyInfo } | { status: 'invalid' } | { status: 'unsupported' };

interface ProviderRequestOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

// OpenRouter sends prices as decimal strings ("0.000003"); accept numbers too.
const priceSchema = z.union([z.string(), z.number()]).transform(Number).pipe(z.number().finite());

const wireModelSchema = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  context_length: z.number().int().positive().nullish(),
  pricing: z.object({ prompt: priceSchema, completion: priceSchema }).nullish(),
  // A malformed architecture is ignored rather than dropping the model.
  architecture: z
    .object({ input_modalities: z.array(z.string().max(50)).max(20).nullish() })
    .nullish()
    .catch(null),
  supported_parameters: z.array(z.string().max(100)).max(200).nullish().catch(null),
});

const wireKeySchema = z.object({
  data: z.object({
    label: z.string().nullish(),
    limit: z.number().nullish(),
    limit_remaining: z.number().nullish(),
    usage: z.number().nullish(),
    is_free_tier: z.boolean().nullish(),
  }),
});

function endpoint(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path}`;
}

async function send(url: string, init: RequestInit, doFetch: typeof fetch): Promise<Response> {
  try {
    return await doFetch(url, init);
  } catch (err) {
    if (init.signal?.aborted) throw errorForAbort(init.signal, err);
    throw new UpstreamError('UPSTREAM_NETWORK', { retryable: true, cause: err });
  }
}

/**
 * Lists the provider's models (`GET {baseUrl}/models`). Entries that do not fit the schema are
 * skipped rather than failing the catalogue, since providers keep adding fields and variants.
 */
export async function fetchModels(options: ProviderRequestOptions & { apiKey?: string }): Promise<ModelInfo[]> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
  const response = await send(
    endpoint(options.baseUrl, 'models'),
    { headers, signal: options.signal },
    options.fetch ?? globalThis.fetch,
  );
  if (!response.ok) throw errorForStatus(response.status);
  const body: unknown = await response.json().catch(() => undefined);
  const list = z.object({ data: z.array(z.unknown()) }).safeParse(body);
  if (!list.success) throw new UpstreamError('UPSTREAM_MALFORMED', { detail: 'models list' });

  return list.data.data.flatMap((entry) => {
    const model = wireModelSchema.safeParse(entry);
    if (!model.success) return [];
    const { id, name, context_length, pricing, architecture, supported_parameters } = model.data;
    const inputModalities = architecture?.input_modalities;
    return [
      {
        id,
        name: name ?? id,
        contextLength: context_length ?? null,
        pricing: pricing ?? null,
        ...(inputModalities && { inputModalities }),
        ...(supported_parameters && { supportedParameters: supported_parameters }),
      },
    ];
  });
}

/**
 * Checks an API key against `GET {baseUrl}/key` and returns its limit and usage. Providers
 * without that endpoint (Ollama, llama.cpp) answer 404/405 or something else: `unsupported`, so the
 * caller can accept the key unvalidated. Other failures throw an `UpstreamError`.
 */
export async function fetchKeyInfo(options: ProviderRequestOptions & { apiKey: string }): Promise<KeyCheck> {
  const response = await send(
    endpoint(options.baseUrl, 'key'),
    {
      headers: { Accept: 'application/json', Authorization: `Bearer ${options.apiKey}` },
      signal: options.signal,
    },
    options.fetch ?? globalThis.fetch,
  );
  if (response.status === 401 || response.status === 403) return { status: 'invalid' };
  if (response.status === 404 || response.status === 405) return { status: 'unsupported' };
  if (!response.ok) throw errorForStatus(response.status);

  // A server that answers 200 with something other than key info (an HTML page, a catch-all JSON
  // route) has no key endpoint either; a bad key still gets its 401 above.
  const parsed = wireKeySchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) return { status: 'unsupported' };
  const data = parsed.data.data;
  return {
    status: 'valid',
    info: {
      label: data.label ?? null,
      limit: data.limit ?? null,
      limitRemaining: data.limit_remaining ?? null,
      usage: data.usage ?? null,
      isFreeTier: data.is_free_tier ?? null,
    },
  };
}
