/**
 * Saves a text file the API produced (`{ filename, contentType, content }`) through the browser;
 * `content` may come in parts (a paged export), which the Blob joins without one big string.
 */
export function downloadFile(file: { filename: string; contentType: string; content: string | string[] }): void {
  const parts = typeof file.content === 'string' ? [file.content] : file.content;
  const url = URL.createObjectURL(new Blob(parts, { type: file.contentType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is not needed past this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
