import { createSignal, onCleanup } from 'solid-js';
import { CopyIcon } from '../ui/icons';

/**
 * Copies an answer's Markdown source to the clipboard. `label` is the accessible name ("Copy the
 * final answer"); the visible word turns to "Copied" (announced) or "Copy failed" for a moment.
 */
export function CopyButton(props: { text: string; label: string }) {
  const [outcome, setOutcome] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setOutcome('copied');
    } catch (error) {
      // Clipboard access can be denied (insecure origin, permissions): say so, never fail silently.
      console.warn('copy to clipboard failed', error);
      setOutcome('failed');
    }
    clearTimeout(timer);
    timer = setTimeout(() => setOutcome('idle'), 1600);
  };

  return (
    <button type="button" class="button button-small copy-answer" aria-label={props.label} onClick={() => void copy()}>
      <CopyIcon />
      <span aria-live="polite">
        {outcome() === 'copied' ? 'Copied' : outcome() === 'failed' ? 'Copy failed' : 'Copy'}
      </span>
    </button>
  );
}
