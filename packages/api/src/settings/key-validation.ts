import { UpstreamError, fetchKeyInfo } from '@llm-council/council';
import type { ProviderConfig } from '../config.js';
import { appError } from '../errors.js';

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
 * Asks the provider about a key before it is saved, so a typo is caught now rather than at the
 * first question. Providers without a key endpoint (local servers) accept any key, and so does an
 * unreachable provider: the key is stored unvalidated and the first run reports a bad key.
 */
export async function validateApiKeyWithProvider(
  provider: ProviderConfig,
  apiKey: string,
  options: { fetch: typeof fetch; timeoutMs: number },
): Promise<KeyValidation> {
  if (!provider.hasKeyEndpoint) return { status: 'unvalidated', reason: 'no-endpoint' };
  let check: Awaited<ReturnType<typeof fetchKeyInfo>>;
  try {
    check = await fetchKeyInfo({
      baseUrl: provider.baseUrl,
      apiKey,
      fetch: options.fetch,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    // An outage (or no network) must not stop people saving their key; only a refusal does.
    return { status: 'unvalidated', reason: 'unreachable' };
  }
  if (check.status === 'invalid') {
    throw appError(
      'BAD_REQUEST',
      'API_KEY_REJECTED',
      `${provider.label} rejected this key. Check that you copied it completely.`,
    );
  }
  if (check.status === 'unsupported') return { status: 'unvalidated', reason: 'no-endpoint' };
  return { status: 'valid', ...check.info };
}
