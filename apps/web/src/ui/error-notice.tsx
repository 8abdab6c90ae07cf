import { A } from '@solidjs/router';
import { Show, type JSX } from 'solid-js';
import { isKeyProblem } from './describe-error';

/**
 * An error message in the flow of the page, announced to screen readers. Key problems (no key,
 * rejected key, no credit) link straight to where they are fixed.
 */
export function ErrorNotice(props: { message: string; code?: string | null; children?: JSX.Element }) {
  return (
    <div class="notice notice-error" role="alert">
      <p>{props.message}</p>
      <Show when={isKeyProblem(props.code) || props.children}>
        <div class="notice-actions">
          <Show when={isKeyProblem(props.code)}>
            <A class="button button-small" href="/settings">
              Open Settings
            </A>
          </Show>
          {props.children}
        </div>
      </Show>
    </div>
  );
}
