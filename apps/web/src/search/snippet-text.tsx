import { For } from 'solid-js';

/**
 * Shows a search snippet without innerHTML: the server escapes everything and wraps matches in
 * `<mark>`; this splits on those tags and turns the escaped text back into plain text nodes.
 */
export function SnippetText(props: { snippet: string }) {
  const parts = () => props.snippet.split(/(<mark>.*?<\/mark>)/g).filter(Boolean);
  return (
    <For each={parts()}>
      {(part) => (part.startsWith('<mark>') ? <mark>{unescape(part.slice(6, -7))}</mark> : <>{unescape(part)}</>)}
    </For>
  );
}

function unescape(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
