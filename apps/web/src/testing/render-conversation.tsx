import { ConversationView } from '../chat/conversation-view';
import { ConversationsProvider, createConversationsStore } from '../conversations/conversations-store';
import type { Conversation } from '../council/council-types';
import { createFakeCouncil } from './fake-council';
import { renderWithClient } from './render';

type FakeCouncil = ReturnType<typeof createFakeCouncil>;

/**
 * One conversation's view at `/c/<id>` (plus `hash`, a link to a turn), over a fake council client
 * the test can script (`script` runs before the view mounts) and inspect.
 */
export function renderConversation(
  data: Conversation,
  opened: { hash?: string; script?: (fake: FakeCouncil) => void } = {},
) {
  const fake = createFakeCouncil();
  opened.script?.(fake);
  const store = createConversationsStore(fake.client);
  renderWithClient(
    () => (
      <ConversationsProvider store={store}>
        <ConversationView conversation={data} />
      </ConversationsProvider>
    ),
    fake.client,
    `/c/${data.id}${opened.hash ?? ''}`,
  );
  return fake;
}
