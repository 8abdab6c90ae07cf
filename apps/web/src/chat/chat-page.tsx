import { A, useParams } from '@solidjs/router';
import { Match, Switch, createResource } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { loadMarkdownRenderer } from '../markdown/markdown-view';
import { ConversationView } from './conversation-view';
import './chat.css';

// Start fetching the markdown renderer with this page, not when the first answer needs it.
void loadMarkdownRenderer();

/** `/c/:id`: loads one conversation and hands it to the view (remounted per conversation). */
export function ChatPage() {
  const params = useParams<{ id: string }>();
  const client = useClient();
  const [conversation, { refetch }] = createResource(
    () => params.id,
    (id) => client.conversations.get.query({ id }),
  );

  return (
    <Switch>
      <Match when={conversation.error as unknown}>
        {(error) => {
          const ui = describeError(error());
          return (
            <div class="chat-missing">
              <h1>{ui.code === 'NOT_FOUND' ? 'Conversation not found' : 'Could not open this conversation'}</h1>
              <ErrorNotice message={ui.code === 'NOT_FOUND' ? 'It may have been deleted.' : ui.message}>
                {ui.code !== 'NOT_FOUND' && (
                  <button type="button" class="button button-small" onClick={() => void refetch()}>
                    Try again
                  </button>
                )}
                <A class="button button-small" href="/">
                  New conversation
                </A>
              </ErrorNotice>
            </div>
          );
        }}
      </Match>
      <Match when={conversation()} keyed>
        {(loaded) => <ConversationView conversation={loaded} />}
      </Match>
    </Switch>
  );
}
