import type { SlotStatus } from './run-state';

const WORDS: Record<SlotStatus, string> = {
  waiting: 'waiting',
  streaming: 'in progress',
  done: 'done',
  failed: 'failed',
  late: 'late, left out',
  stopped: 'stopped',
};

/** A tab label: the model's name and a status dot, with the status in words for screen readers. */
export function StatusLabel(props: { name: string; status: SlotStatus }) {
  return (
    <>
      <span class={`status-dot status-${props.status}`} aria-hidden="true" />
      <span>{props.name}</span>
      <span class="sr-only"> ({WORDS[props.status]})</span>
    </>
  );
}
