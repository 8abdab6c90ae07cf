/**
 * Stored text printed on an operator's terminal (`pnpm users:audit`) comes from outside: a
 * User-Agent header can carry ESC sequences that clear the screen, retitle the window or forge
 * a log line. Every C0 and C1 control character (and DEL) is shown as `\xNN`, and a backslash as
 * `\\`, so what is printed is exactly what was stored, one row per line.
 */
export function escapeControlCharacters(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\\\u0000-\u001f\u007f-\u009f]/g, (char) =>
    char === '\\' ? '\\\\' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
