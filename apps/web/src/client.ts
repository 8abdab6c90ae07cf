import { createCouncilClient, type CouncilClient } from '@llm-council/sdk';

/**
 * The app's one SDK client. The server serves this app and the API from one origin (Vite proxies
 * `/trpc` in development), so the refresh cookie — HttpOnly, Path=/trpc — always rides along and
 * the access token lives only in the SDK's memory, never in storage a script could read later.
 */
export function createAppClient(options: { onSessionExpired: () => void }): CouncilClient {
  return createCouncilClient({
    url: window.location.origin,
    transport: 'cookie',
    onSessionExpired: options.onSessionExpired,
  });
}
