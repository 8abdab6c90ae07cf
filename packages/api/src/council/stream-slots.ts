import { appError } from '../errors.js';

/**
 * Live `council.events` streams per user on this host. Each stream holds a database
 * reader and a socket, so one user's tabs or scripts cannot pile them up without bound. Counted in
 * memory, per host: a user spread over N hosts may hold N × the cap (docs/operating.md, "Operator limits").
 */
export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerUser: number) {}

  /** Takes a slot or refuses with STREAM_LIMIT_REACHED; the returned function gives it back (once). */
  take(userId: string): () => void {
    const count = this.open.get(userId) ?? 0;
    if (count >= this.maxPerUser) {
      throw appError(
        'TOO_MANY_REQUESTS',
        'STREAM_LIMIT_REACHED',
        `You have ${count} live event streams open (the limit is ${this.maxPerUser}). Close a tab or wait for a run to end.`,
        { retryAfterSeconds: 5 },
      );
    }
    this.open.set(userId, count + 1);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      const left = (this.open.get(userId) ?? 1) - 1;
      if (left > 0) this.open.set(userId, left);
      else this.open.delete(userId);
    };
  }

  /** Streams open here for a user. */
  countOf(userId: string): number {
    return this.open.get(userId) ?? 0;
  }
}
