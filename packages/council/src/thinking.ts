/**
 * Drops `<think>` / `<thinking>` blocks, and an unclosed one to the end of the text. A model's
 * scratch work is not its answer: a reviewer or chairman reading it would judge the wrong text, and
 * a ranking drafted inside it is not the reviewer's final word.
 */
export function stripThinking(text: string): string {
  return text.replace(/<think(?:ing)?>[\s\S]*?(?:<\/think(?:ing)?>|$)/giu, '').trim();
}
