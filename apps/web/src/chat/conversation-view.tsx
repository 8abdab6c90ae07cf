import { useLocation } from '@solidjs/router';
import type { Attachment } from '@llm-council/sdk';
import { For, Show, createEffect, createResource, createSignal, on, onCleanup, onMount } from 'solid-js';
import { useClient } from '../client-context';
import { useConversations } from '../conversations/conversations-store';
import { ExportButtons } from '../data/export-buttons';
import { loadMarkdownRenderer } from '../markdown/markdown-view';
import type { Conversation, CouncilEvent } from '../council/council-types';
import type { LiveRun } from '../council/live-run';
import { shortModelName } from '../council/model-names';
import { runFromRecord } from '../council/run-from-record';
import { createRunState, isLive } from '../council/run-state';
import { createMutation } from '../ui/create-mutation';
import { ErrorNotice } from '../ui/error-notice';
import { Composer } from './composer';
import { newRequestId } from './request-id';
import { TurnView, type Turn, type TurnActions } from './turn-view';
import { buildTurns } from './turns';

/** How long a linked turn may take to reach the document (the router commits a page after its data). */
const ANCHOR_WAIT_MS = 2000;
const POLL_MS = 25;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Scrolls to a turn once it is in the document with its answers rendered. A client-side
 * navigation builds this view before the router puts it on the page, and answers show as plain
 * text until the markdown renderer has loaded, then change height: scrolling at mount would leave
 * the match off screen. One more scroll a moment later catches the last layout change.
 */
async function scrollToTurn(id: string, isShown: () => boolean): Promise<void> {
  // Each step waits; by then the view may be gone (the user left it), and so may the document.
  const turn = () => (isShown() ? document.getElementById(id) : null);
  await loadMarkdownRenderer();
  for (let waited = 0; waited <= ANCHOR_WAIT_MS && isShown(); waited += POLL_MS) {
    if (turn()) break;
    await pause(POLL_MS);
  }
  turn()?.scrollIntoView?.({ block: 'start' });
  await pause(POLL_MS * 2);
  turn()?.scrollIntoView?.({ block: 'start' });
}

/**
 * A conversation: every turn so far, live runs followed by their views (a reload lands here too
 * and resumes them by replaying their events), and the composer that starts the next run.
 */
export function ConversationView(props: { conversation: Conversation }) {
  const client = useClient();
  const council = client.council;
  const conversations = useConversations();
  const id = props.conversation.id;
  const [title, setTitle] = createSignal(props.conversation.title);

  const onRunEvent = (event: CouncilEvent) => {
    if (event.type === 'title_completed') {
      setTitle(event.title);
      conversations.touch(id, { title: event.title });
    }
    if (event.type === 'run_completed' || event.type === 'run_failed') {
      conversations.touch(id, { updatedAt: new Date().toISOString() });
    }
  };
  // The runs on screen, each owned by its view: the one still live can be stopped, and locks editing.
  const [shownRuns, setShownRuns] = createSignal<LiveRun[]>([]);
  const onRunShown = (run: LiveRun) => {
    setShownRuns((runs) => [...runs, run]);
    return () => setShownRuns((runs) => runs.filter((r) => r !== run));
  };

  // A turn shown before and unchanged keeps its view (and a live run its stream) across a redraw.
  const turnsOf = (conversation: Conversation, before: Turn[] = []): Turn[] =>
    buildTurns(conversation).map((t) => {
      const turn: Turn = {
        key: t.message.id,
        message: t.message,
        answer: t.answer,
        run: t.run ? runFromRecord(t.run) : null,
      };
      const known = before.find((b) => b.key === turn.key);
      return known && isSameTurn(known, turn) ? known : turn;
    });
  const [turns, setTurns] = createSignal<Turn[]>(turnsOf(props.conversation));
  const redraw = (next: Conversation) => setTurns(turnsOf(next, turns()));

  // A search result links to `#turn-<question id>`, in this conversation or from elsewhere. The
  // router's location, not window.location: during the navigation the address is not updated yet.
  const location = useLocation();
  // Scrolling waits for the page to settle; it stops once this view is gone.
  let isMounted = true;
  onCleanup(() => (isMounted = false));
  const isShown = () => isMounted;
  createEffect(
    on(
      () => location.hash,
      (hash) => {
        // A link to a question on a branch not shown (a search hit) shows that branch first.
        const linked = hash.startsWith('#turn-') ? hash.slice('#turn-'.length) : '';
        if (linked && !turns().some((t) => t.key === linked)) {
          void showVersion(linked, linked);
          return;
        }
        // Without a link to a turn the view opens on the latest question, its final answer below it.
        const latest = turns().at(-1);
        const target = hash.length > 1 ? hash.slice(1) : latest ? `turn-${latest.key}` : undefined;
        if (target) void scrollToTurn(target, isShown);
      },
    ),
  );

  const liveRun = () => shownRuns().find((run) => isLive(run.state.status));
  const latestRun = () => {
    const initial = turns().findLast((t) => t.run)?.run;
    return shownRuns().find((run) => run.state.runId === initial?.runId)?.state ?? initial;
  };
  const lineup = () => {
    const run = latestRun();
    return {
      models: run?.models.length ? run.models : (props.conversation.models ?? []),
      chairman: run?.chairmanModel || props.conversation.chairmanModel,
    };
  };

  // A follow-up asks the same council: the composer warns, as on a new conversation, when an image
  // is attached and some of its models cannot see images. The catalogue that says which is loaded
  // only once an image is attached (the composer reads this only then).
  const [isCatalogWanted, setCatalogWanted] = createSignal(false);
  const [catalog] = createResource(isCatalogWanted, () => client.council.models.query({}));
  const imageBlindModels = (): readonly string[] => {
    if (catalog.state !== 'ready') {
      setCatalogWanted(true);
      return [];
    }
    const { models } = catalog.latest;
    return lineup().models.filter((id) => !models.find((m) => m.id === id)?.inputModalities?.includes('image'));
  };

  createEffect(() => (document.title = `${title()} · LLM Council`));

  const starting = createMutation((content: string, attachments: Attachment[]) =>
    council.start.mutate({
      conversationId: id,
      content,
      clientRequestId: newRequestId(),
      ...(attachments.length > 0 && { attachmentIds: attachments.map((a) => a.id) }),
    }),
  );
  const send = async (content: string, attachments: Attachment[] = []): Promise<boolean> => {
    const started = await starting.run(content, attachments);
    if (!started.ok) return false;
    const { runId, messageId } = started.value;
    const now = new Date().toISOString();
    const { models, chairman } = lineup();
    setTurns([
      ...turns(),
      {
        key: messageId,
        message: { id: messageId, content, createdAt: now, versionIds: [messageId], attachments },
        run: createRunState({ runId, models, chairmanModel: chairman ?? '' }),
        answer: null,
      },
    ]);
    conversations.touch(id, { updatedAt: now });
    queueMicrotask(() =>
      document.getElementById(`turn-${messageId}`)?.scrollIntoView?.({ block: 'start', behavior: 'smooth' }),
    );
    return true;
  };

  // Editing a question, regenerating an answer or showing another version redraws the branch the
  // server now shows; the three share one error line.
  const branching = createMutation((change: () => Promise<void>) => change());
  const showBranch = (next: Conversation, messageId: string) => {
    redraw(next);
    queueMicrotask(() => document.getElementById(`turn-${messageId}`)?.scrollIntoView?.({ block: 'start' }));
  };
  /** Shows the branch through `messageId`, then the turn `landOn` (by default its newest question). */
  const showVersion = async (messageId: string, landOn: string | undefined) => {
    await branching.run(async () => {
      redraw(await client.conversations.showVersion.mutate({ messageId }));
      const target = landOn ?? turns().at(-1)?.key;
      if (target) void scrollToTurn(`turn-${target}`, isShown);
    });
  };
  const actions: TurnActions = {
    onEdit: async (messageId, content) => {
      const edited = await branching.run(async () => {
        const started = await council.edit.mutate({ messageId, content, clientRequestId: newRequestId() });
        showBranch(await client.conversations.get.query({ id }), started.messageId);
        conversations.touch(id, { updatedAt: new Date().toISOString() });
      });
      return edited.ok;
    },
    // The branch shown runs down to the newest follow-up asked on it: the view lands there.
    onShowVersion: (messageId) => showVersion(messageId, undefined),
    onRegenerate: async (runId, model) => {
      await branching.run(async () => {
        const started = await council.regenerate.mutate({ runId, model, clientRequestId: newRequestId() });
        showBranch(await client.conversations.get.query({ id }), started.messageId);
        conversations.touch(id, { updatedAt: new Date().toISOString() });
      });
    },
    get isLocked() {
      return liveRun() !== undefined;
    },
    onRunEvent,
    onRunShown,
  };

  const stopping = createMutation(async () => liveRun()?.stop());
  const stop = () => void stopping.run();

  // Keep following the newest text while the reader is at the bottom; leave them be if they scrolled up.
  const scroller = () => document.getElementById('main');
  let isAtBottom = true;
  const onScroll = () => {
    const el = scroller();
    if (el) isAtBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 120;
  };
  let list: HTMLDivElement | undefined;
  onMount(() => {
    const el = scroller();
    // Without ResizeObserver (old browsers, jsdom) the view simply does not auto-follow.
    if (!el || typeof ResizeObserver === 'undefined') return;
    el.addEventListener('scroll', onScroll, { passive: true });
    const observer = new ResizeObserver(() => {
      if (isAtBottom && liveRun()) el.scrollTop = el.scrollHeight;
    });
    if (list) observer.observe(list);
    onCleanup(() => {
      observer.disconnect();
      el.removeEventListener('scroll', onScroll);
    });
  });

  return (
    <div class="chat">
      <header class="chat-head">
        <h1 class="chat-title">{title()}</h1>
        <Show when={lineup().models.length > 0}>
          <p class="chat-council">
            Council: {lineup().models.map(shortModelName).join(', ')}
            <Show when={lineup().chairman}>{(c) => <> · Chairman: {shortModelName(c())}</>}</Show>
          </p>
        </Show>
        <ExportButtons conversationId={id} />
      </header>
      <div class="turns" ref={list}>
        <For each={turns()} fallback={<p class="chat-empty">No questions yet. Ask the council below.</p>}>
          {(turn) => (
            <div id={`turn-${turn.key}`} class="turn-anchor">
              <TurnView turn={turn} actions={actions} />
            </div>
          )}
        </For>
      </div>
      <div class="composer-dock">
        <Show when={branching.error()}>{(error) => <ErrorNotice message={error().message} code={error().code} />}</Show>
        <Show when={starting.error()}>{(error) => <ErrorNotice message={error().message} code={error().code} />}</Show>
        <Show when={stopping.error()}>
          {(error) => <ErrorNotice message={`Could not stop the run: ${error().message}`} code={error().code} />}
        </Show>
        <Composer
          onSend={send}
          onUpload={(file) => client.uploadAttachment(file, file.name)}
          imageBlindModels={imageBlindModels()}
          onStop={stop}
          isRunLive={liveRun() !== undefined}
          isStopping={liveRun()?.isStopping() ?? false}
          placeholder={turns().length === 0 ? 'Ask the council anything…' : 'Ask a follow-up question…'}
          draftKey={id}
        />
      </div>
    </div>
  );
}

function isSameTurn(a: Turn, b: Turn): boolean {
  return (
    a.run?.runId === b.run?.runId &&
    a.answer?.content === b.answer?.content &&
    a.message.content === b.message.content &&
    a.message.versionIds.join() === b.message.versionIds.join()
  );
}
