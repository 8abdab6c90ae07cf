/** Text made safe to place in HTML (markup and attribute values): the five special characters as references. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
