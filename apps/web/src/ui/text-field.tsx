import { Show, createUniqueId, splitProps, type JSX } from 'solid-js';

type InputProps = JSX.InputHTMLAttributes<HTMLInputElement>;

/**
 * A labelled input with its hint and errors wired to it (`aria-describedby`, `aria-invalid`), so
 * a screen reader reads the error when the field gets focus.
 */
export function TextField(
  props: InputProps & {
    label: string;
    errors?: string[] | undefined;
    hint?: JSX.Element;
    onValue: (value: string) => void;
  },
) {
  const [own, input] = splitProps(props, ['label', 'errors', 'hint', 'onValue', 'id', 'class']);
  const id = own.id ?? createUniqueId();
  const hasErrors = () => (own.errors?.length ?? 0) > 0;
  const describedBy = () =>
    [own.hint ? `${id}-hint` : '', hasErrors() ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

  return (
    <div class={`field ${own.class ?? ''}`} classList={{ 'has-error': hasErrors() }}>
      <label for={id}>{own.label}</label>
      <input
        {...input}
        id={id}
        aria-invalid={hasErrors()}
        aria-describedby={describedBy()}
        onInput={(event) => own.onValue(event.currentTarget.value)}
      />
      <Show when={own.hint}>
        <p class="field-hint" id={`${id}-hint`}>
          {own.hint}
        </p>
      </Show>
      <Show when={hasErrors()}>
        <p class="field-error" id={`${id}-error`}>
          {own.errors?.join(' ')}
        </p>
      </Show>
    </div>
  );
}
