import { useNavigate } from '@solidjs/router';
import { Match, Show, Switch, createEffect, createResource, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { useConversations } from '../conversations/conversations-store';
import { CouncilPicker, isValidChoice, type CouncilChoice } from '../council/council-picker';
import { describeError, type UiError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { Composer } from './composer';
import { newRequestId } from './request-id';
import './chat.css';

/**
 * `/`: choose the council, ask the first question. One `council.start` creates the conversation
 * and its run before navigating, so the chat page opens on a live run — the same path a reload
 * takes.
 */
export function NewConversationPage() {
  const client = useClient();
  const council = client.council;
  const conversations = useConversations();
  const navigate = useNavigate();
  const [catalog, { refetch }] = createResource(() => council.models.query({}));
  const [choice, setChoice] = createSignal<CouncilChoice | null>(null);
  const [error, setError] = createSignal<UiError | null>(null);

  // The server's defaults are the starting point; the picker edits from there.
  createEffect(() => {
    const loaded = catalog.state === 'ready' ? catalog() : undefined;
    if (loaded && choice() === null) setChoice({ ...loaded.defaults, models: [...loaded.defaults.models] });
  });
  createEffect(() => (document.title = 'New conversation · LLM Council'));

  const send = async (content: string): Promise<boolean> => {
    setError(null);
    const picked = choice() ?? undefined;
    try {
      const started = await conversations.startConversation({
        content,
        clientRequestId: newRequestId(),
        ...(picked ? { models: picked.models, chairmanModel: picked.chairmanModel } : {}),
      });
      navigate(`/c/${started.conversationId}`);
      return true;
    } catch (err) {
      // A refused start (no API key, say) created nothing; the question stays in the box.
      setError(describeError(err));
      return false;
    }
  };

  return (
    <div class="chat chat-new">
      <div class="new-hero">
        <h1>What should the council consider?</h1>
        <p class="new-lede">
          Every model answers on its own, then reviews the others’ answers without knowing who wrote them. The chairman
          reads it all and writes the final answer.
        </p>
      </div>
      <Switch>
        <Match when={catalog.loading}>
          <p class="muted picker-loading" role="status">
            <span class="spinner spinner-small" aria-hidden="true" /> Loading the model catalog…
          </p>
        </Match>
        <Match when={catalog.error as unknown}>
          <ErrorNotice
            message={`The model catalog is unavailable (${describeError(catalog.error).message}). The server’s default council will answer.`}
          >
            <button type="button" class="button button-small" onClick={() => void refetch()}>
              Try again
            </button>
          </ErrorNotice>
        </Match>
        <Match when={catalog.state === 'ready' && choice()}>
          {(current) => (
            <CouncilPicker
              catalog={catalog() as NonNullable<ReturnType<typeof catalog>>}
              choice={current()}
              onChange={setChoice}
            />
          )}
        </Match>
      </Switch>
      <div class="composer-dock">
        <Show when={error()}>{(e) => <ErrorNotice message={e().message} code={e().code} />}</Show>
        <Composer
          onSend={send}
          isRunLive={false}
          autofocus
          placeholder="Ask the council anything…"
          draftKey="new"
          extraDisabled={choice() !== null && !isValidChoice(choice() as CouncilChoice)}
        />
      </div>
    </div>
  );
}
