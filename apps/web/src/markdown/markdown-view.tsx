import { createEffect, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import type { Typeset } from './math';
import './markdown.css';

type Render = (source: string, typeset: Typeset) => { html: string; missing: Promise<void> | undefined };

// marked + DOMPurify are the biggest libraries in the app and no screen needs them before the first
// answer arrives, so they load on first use and every view shares the one module.
let loadedRender: Render | undefined;
let loading: Promise<Render> | undefined;

export function loadMarkdownRenderer(): Promise<Render> {
  loading ??= import('./render-markdown').then((module) => {
    loadedRender = module.renderMarkdownAndMissing;
    return module.renderMarkdownAndMissing;
  });
  return loading;
}

const COPY_LABEL = 'Copy';

/**
 * Renders untrusted markdown (model output) as sanitised HTML. Until the renderer has loaded the
 * text shows as plain text, so streaming never waits for a chunk download. Code blocks get a
 * copy button; their highlighting arrives when its lazy chunk has loaded, and formulas when the
 * server has typeset them.
 */
export function MarkdownView(props: { source: string; class?: string; isStreaming?: boolean }) {
  const [render, setRender] = createSignal<Render | undefined>(loadedRender);
  if (!loadedRender) void loadMarkdownRenderer().then((fn) => setRender(() => fn));
  const client = useClient();
  const typeset: Typeset = (formulas) => client.maths.render.query({ formulas });
  // Bumped when a highlighter grammar or the MathML this text needed has arrived: render again.
  const [assets, setAssets] = createSignal(0);
  let container: HTMLDivElement | undefined;

  createEffect(() => {
    const source = props.source;
    const fn = render();
    assets();
    if (!container) return;
    if (!fn) {
      container.textContent = source;
      return;
    }
    const { html, missing } = fn(source, typeset);
    // Safe: `fn` is renderMarkdownAndMissing, whose output went through DOMPurify.
    container.innerHTML = html;
    addCopyButtons(container);
    missing?.then(
      () => setAssets((n) => n + 1),
      (error: unknown) => console.warn('could not load the highlighter or typeset the maths', error),
    );
  });

  return (
    <div
      ref={container}
      class={`markdown ${props.class ?? ''}`}
      classList={{ 'is-plain': !render(), 'is-streaming': props.isStreaming === true }}
      aria-busy={props.isStreaming === true}
      onClick={(event) => void onCopyClick(event)}
    />
  );
}

/** Wraps every `<pre>` in a frame with a copy button (built here, never from model HTML). */
function addCopyButtons(root: HTMLElement): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    const frame = document.createElement('div');
    frame.className = 'code-block';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy-button';
    button.dataset['copy'] = '';
    button.textContent = COPY_LABEL;
    button.setAttribute('aria-label', 'Copy code to clipboard');
    pre.replaceWith(frame);
    frame.append(button, pre);
  }
}

async function onCopyClick(event: MouseEvent): Promise<void> {
  const target = event.target;
  if (!(target instanceof HTMLButtonElement) || target.dataset['copy'] === undefined) return;
  const code = target.parentElement?.querySelector('pre')?.textContent ?? '';
  try {
    await navigator.clipboard.writeText(code);
    target.textContent = 'Copied';
  } catch (error) {
    // Clipboard access can be denied (insecure origin, permissions); say so instead of failing silently.
    console.warn('copy to clipboard failed', error);
    target.textContent = 'Copy failed';
  }
  setTimeout(() => (target.textContent = COPY_LABEL), 1600);
}
