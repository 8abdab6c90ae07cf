import { For, Show } from 'solid-js';
import type { AnswerSlot } from './run-state';

/** Shows a URL as its host and path, short enough for a list line. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname === '/' ? '' : parsed.pathname;
    return `${parsed.host}${path.length > 48 ? `${path.slice(0, 47)}…` : path}`;
  } catch {
    return url;
  }
}

/**
 * The web pages an answer cites (web search), numbered as the answer cites them. Links open in a
 * new tab without handing the page a reference to this one; the server keeps only http(s) URLs.
 */
export function AnswerSources(props: { sources: AnswerSlot['sources']; model: string }) {
  return (
    <Show when={props.sources.length > 0}>
      <section class="answer-sources" aria-label={`Sources cited by ${props.model}`}>
        <h4>Sources</h4>
        <ol>
          <For each={props.sources}>
            {(source) => (
              <li>
                <a href={source.url} target="_blank" rel="noopener noreferrer nofollow">
                  {source.title ?? displayUrl(source.url)}
                </a>{' '}
                <span class="answer-source-host">{displayUrl(source.url)}</span>
              </li>
            )}
          </For>
        </ol>
      </section>
    </Show>
  );
}
