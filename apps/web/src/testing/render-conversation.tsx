import { ConversationView } from '../chat/conversation-view';
import { ConversationsProvider, createConversationsStore } from '../conversations/conversations-store';
import type { Conversation } from '../council/council-types';
import { createFakeCouncil } from './fake-council';
import { renderWithClient } from './render';

/** One conversation's view at `/c/<id>`, over a fake council client the test can script and inspect. */
export function renderConversation(data: Conversation) {
  const fake = createFakeCouncil();
  const store = createConversationsStore(fake.client);
  renderWithClient(
    () => (
      <ConversationsProvider store={store}>
        <ConversationView conversation={data} />
      </ConversationsProvider>
    ),
    fake.client,
    `/c/${data.id}`,
  );
  return fake;
}
