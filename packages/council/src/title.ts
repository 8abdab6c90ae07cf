const maxTitleLength = 50;

/** Cutting at a space is only worth it if it keeps a reasonable part of the title. */
const minWordCutLength = 20;

/**
 * Turns a title model's reply into a bare title, or null when nothing usable is left. Models
 * decorate titles despite instructions: quotes, `**bold**`, `# headings`, "Title:" prefixes,
 * reasoning blocks, a trailing full stop.
 */
export function extractTitle(text: string): string | null {
  const withoutThinking = text.replace(/<think>[\s\S]*?<\/think>/gi, '');
  const firstLine = withoutThinking
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  if (firstLine === undefined) return null;

  let title = firstLine
    .replace(/^[#>\-\s]+/, '')
    .replace(/[*_`~]/g, '')
    .replace(/^\s*title\s*[:\-–]\s*/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  title = stripWrapping(title);
  if (title.length > maxTitleLength) title = cutAtWord(title);
  title = title.replace(/[\s.,;:\-–]+$/, '');
  return title.length > 0 ? title : null;
}

const quotePairs: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '«': '»', '„': '“' };

function stripWrapping(title: string): string {
  let result = title;
  for (;;) {
    const close = quotePairs[result.charAt(0)];
    if (close === undefined || !result.endsWith(close) || result.length < 2) break;
    result = result.slice(1, -1).trim();
  }
  // A lone opening or closing quote is just as unwanted.
  return result.replace(/^["'“”‘’«»„]+|["'“”‘’«»„]+$/g, '').trim();
}

function cutAtWord(title: string): string {
  const head = title.slice(0, maxTitleLength + 1);
  const lastSpace = head.lastIndexOf(' ');
  return lastSpace >= minWordCutLength ? head.slice(0, lastSpace) : title.slice(0, maxTitleLength);
}
