import { appError } from '../errors.js';

/**
 * Page cursors are opaque to clients: base64url of `<updatedAt>|<id>`. The time is ISO 8601 to
 * the microsecond, PostgreSQL's precision: a millisecond cursor (a JS Date) would skip rows whose
 * activity fell in the same millisecond as the page's last row.
 */
export function encodeCursor(position: { updatedAt: string; id: string }): string {
  return Buffer.from(`${position.updatedAt}|${position.id}`, 'utf8').toString('base64url');
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function decodeCursor(cursor: string): { updatedAt: string; id: string } {
  const [updatedAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (
    !updatedAt ||
    !id ||
    rest.length > 0 ||
    !ISO_UTC.test(updatedAt) ||
    Number.isNaN(Date.parse(updatedAt)) ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
  ) {
    throw appError('BAD_REQUEST', 'VALIDATION_FAILED', 'cursor: not a cursor this server issued');
  }
  return { updatedAt, id };
}
