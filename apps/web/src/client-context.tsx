import type { CouncilClient } from '@llm-council/sdk';
import { createContext, useContext, type JSX } from 'solid-js';

const ClientContext = createContext<CouncilClient>();

/**
 * Hands the SDK client to every component. Components never import the client module, so a test
 * can render any screen with an SDK-shaped stand-in (or a real client over a fake fetch).
 */
export function ClientProvider(props: { client: CouncilClient; children: JSX.Element }) {
  return <ClientContext.Provider value={props.client}>{props.children}</ClientContext.Provider>;
}

export function useClient(): CouncilClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() needs a <ClientProvider> above it');
  return client;
}
