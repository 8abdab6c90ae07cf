import { DEFAULT_PROVIDER_ID } from '../constants.js';
import type { ApiConfig, ProviderConfig } from '../config.js';
import { appError } from '../errors.js';

/**
 * The configured provider with this id; without an id, the server's first provider (OpenRouter
 * unless the operator changed it). An id the server does not know is the caller's mistake.
 */
export function findProvider(
  config: Pick<ApiConfig, 'providers'>,
  providerId: string = config.providers[0]?.id ?? DEFAULT_PROVIDER_ID,
): ProviderConfig {
  const provider = config.providers.find((p) => p.id === providerId);
  if (!provider) {
    throw appError(
      'BAD_REQUEST',
      'UNKNOWN_PROVIDER',
      `Unknown provider "${providerId}". Known: ${config.providers.map((p) => p.id).join(', ')}`,
    );
  }
  return provider;
}
