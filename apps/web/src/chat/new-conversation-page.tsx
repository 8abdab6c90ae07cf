import { useNavigate } from '@solidjs/router';
import type { Attachment } from '@llm-council/sdk';
import { Match, Show, Switch, createEffect, createResource, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { useConversations } from '../conversations/conversations-store';
import { CouncilPicker, isValidChoice, type CouncilChoice } from '../council/council-picker';
import { AskOptions, type AskSettings } from '../councils/ask-options';
import { readLastCouncil, saveLastCouncil, type SavedCouncil } from '../councils/saved-councils';
import { createMutation } from '../ui/create-mutation';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { Composer } from './composer';
import { newRequestId } from './request-id';
import './chat.css';

/**
 * `/`: choose the council — a saved one (the last used is remembered) or models picked by hand —
 * the mode and web search, and ask the first question. One `council.start` creates the
 * conversation and its run before navigating, so the chat page opens on a live run — the same
 * path a reload takes. Follow-ups in the conversation ask the same way.
 */
export function NewConversationPage() {
  const client = useClient();
  const council = client.council;
  const conversations = useConversations();
  const navigate = useNavigate();
  const [catalog, { refetch }] = createResource(() => council.models.query({}));
  const [choice, setChoice] = createSignal<CouncilChoice | null>(null);
  // Saved councils are a convenience: if they cannot be listed, asking with picked models still works.
  const [savedCouncils] = createResource(async () => {
    try {
      const { councils, serverCouncils } = await client.councils.list.query();
      return [...councils, ...serverCouncils];
    } catch {
      return [];
    }
  });
  const [ask, setAsk] = createSignal<AskSettings>({ councilId: null, mode: 'full', webSearch: false });
  // Read without suspending: while they load the page stays as it is (a plain read would hide it
  // behind the loading fallback, and a question typed meanwhile would be lost).
  const councilList = () => (savedCouncils.state === 'ready' ? savedCouncils.latest : []);
  const selectedCouncil = () => councilList().find((c) => c.id === ask().councilId) ?? null;
  const changeAsk = (next: AskSettings) => {
    const council = councilList().find((c) => c.id === next.councilId);
    if (council && next.councilId !== ask().councilId) {
      setChoice({ models: [...council.models], chairmanModel: council.chairmanModel });
    }
    setAsk(next);
  };
  // The council last asked with on this device is where the next conversation starts.
  createEffect(() => {
    const last = readLastCouncil();
    const council = last ? councilList().find((c) => c.id === last) : undefined;
    if (council && ask().councilId === null && catalog.state === 'ready') {
      changeAsk({ councilId: council.id, mode: council.mode, webSearch: council.webSearch });
    }
  });

  // The server's defaults are the starting point; the picker edits from there.
  createEffect(() => {
    const loaded = catalog.state === 'ready' ? catalog() : undefined;
    if (loaded && choice() === null) setChoice({ ...loaded.defaults, models: [...loaded.defaults.models] });
  });
  createEffect(() => (document.title = 'New conversation · LLM Council'));

  // The chosen models whose catalogue entry does not list image input (the composer warns).
  const imageBlindModels = () => {
    const loaded = catalog.state === 'ready' ? catalog() : undefined;
    const picked = choice()?.models ?? [];
    return picked.filter((id) => !loaded?.models.find((m) => m.id === id)?.inputModalities?.includes('image'));
  };

  // A refused start (no API key, say) created nothing; the question stays in the box.
  const starting = createMutation((content: string, attachments: Attachment[]) => {
    const picked = choice() ?? undefined;
    const council = selectedCouncil();
    // A saved council's own members are not repeated, so editing the council later is what counts.
    const membersChanged = council === null || !sameMembers(council, picked);
    return conversations.startConversation({
      content,
      clientRequestId: newRequestId(),
      ...(council ? { councilId: council.id } : {}),
      ...(picked && membersChanged ? { models: picked.models, chairmanModel: picked.chairmanModel } : {}),
      mode: ask().mode,
      webSearch: ask().webSearch,
      ...(attachments.length > 0 && { attachmentIds: attachments.map((a) => a.id) }),
    });
  });
  const send = async (content: string, attachments: Attachment[] = []): Promise<boolean> => {
    const started = await starting.run(content, attachments);
    if (!started.ok) return false;
    saveLastCouncil(selectedCouncil()?.id ?? null);
    navigate(`/c/${started.value.conversationId}`);
    return true;
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
            <>
              <AskOptions councils={councilList()} settings={ask()} onChange={changeAsk} />
              <CouncilPicker
                catalog={catalog() as NonNullable<ReturnType<typeof catalog>>}
                choice={current()}
                onChange={setChoice}
                mode={ask().mode}
              />
            </>
          )}
        </Match>
      </Switch>
      <div class="composer-dock">
        <Show when={starting.error()}>{(e) => <ErrorNotice message={e().message} code={e().code} />}</Show>
        <Composer
          onSend={send}
          onUpload={(file) => client.uploadAttachment(file, file.name)}
          imageBlindModels={imageBlindModels()}
          isRunLive={false}
          autofocus
          placeholder="Ask the council anything…"
          draftKey="new"
          extraDisabled={choice() !== null && !isValidChoice(choice() as CouncilChoice, ask().mode)}
        />
      </div>
    </div>
  );
}

const sameMembers = (council: SavedCouncil, picked: CouncilChoice | undefined) =>
  picked !== undefined &&
  picked.chairmanModel === council.chairmanModel &&
  picked.models.length === council.models.length &&
  picked.models.every((m, i) => m === council.models[i]);
