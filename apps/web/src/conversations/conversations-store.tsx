import type { CouncilClient, RouterInputs, RouterOutputs } from '@llm-council/sdk';
import { createContext, useContext, type JSX } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import { describeError } from '../ui/describe-error';

export type ConversationSummary = RouterOutputs['conversations']['list']['items'][number];

const PAGE_SIZE = 30;

interface State {
  items: ConversationSummary[];
  nextCursor: string | null;
  isLoading: boolean;
  hasLoaded: boolean;
  error: string | null;
}

/**
 * The sidebar's list: newest activity first, fetched a page at a time. Changes made here
 * (create, rename, delete) and news from the chat (a new question, a generated title) update the
 * list in place rather than refetching it.
 */
export function createConversationsStore(client: CouncilClient) {
  const [state, setState] = createStore<State>({
    items: [],
    nextCursor: null,
    isLoading: false,
    hasLoaded: false,
    error: null,
  });

  async function loadPage(cursor: string | null): Promise<void> {
    if (state.isLoading) return;
    setState({ isLoading: true, error: null });
    try {
      const page = await client.conversations.list.query({ limit: PAGE_SIZE, cursor });
      setState(
        produce((s) => {
          // A conversation that moved to the top since the last page must not appear twice.
          const known = new Set(cursor ? s.items.map((c) => c.id) : []);
          const fresh = page.items.filter((c) => !known.has(c.id));
          s.items = cursor ? [...s.items, ...fresh] : page.items;
          s.nextCursor = page.nextCursor;
          s.hasLoaded = true;
        }),
      );
    } catch (error) {
      setState('error', describeError(error).message);
    } finally {
      setState('isLoading', false);
    }
  }

  const sortByActivity = (items: ConversationSummary[]) =>
    [...items].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));

  return {
    state,
    loadFirst: () => loadPage(null),
    loadMore: () => loadPage(state.nextCursor),
    async create(input: RouterInputs['conversations']['create']) {
      const created = await client.conversations.create.mutate(input);
      const summary: ConversationSummary = {
        id: created.id,
        title: created.title,
        source: created.source,
        messageCount: 0,
        createdAt: created.createdAt,
        updatedAt: created.updatedAt,
      };
      setState('items', (items) => [summary, ...items.filter((c) => c.id !== created.id)]);
      return created;
    },
    async rename(id: string, title: string) {
      const renamed = await client.conversations.rename.mutate({ id, title });
      setState('items', (c) => c.id === id, { title: renamed.title });
    },
    async remove(id: string) {
      await client.conversations.delete.mutate({ id });
      setState('items', (items) => items.filter((c) => c.id !== id));
    },
    /** Local news about one conversation (new activity, a generated title); re-sorts the list. */
    touch(id: string, patch: Partial<Omit<ConversationSummary, 'id'>>) {
      setState('items', (items) => sortByActivity(items.map((c) => (c.id === id ? { ...c, ...patch } : c))));
    },
  };
}

export type ConversationsStore = ReturnType<typeof createConversationsStore>;

const ConversationsContext = createContext<ConversationsStore>();

export function ConversationsProvider(props: { store: ConversationsStore; children: JSX.Element }) {
  return <ConversationsContext.Provider value={props.store}>{props.children}</ConversationsContext.Provider>;
}

export function useConversations(): ConversationsStore {
  const store = useContext(ConversationsContext);
  if (!store) throw new Error('useConversations() needs a <ConversationsProvider> above it');
  return store;
}

/** The list when the screen is inside the app shell; undefined for a screen rendered on its own. */
export function useConversationsIfAny(): ConversationsStore | undefined {
  return useContext(ConversationsContext);
}
