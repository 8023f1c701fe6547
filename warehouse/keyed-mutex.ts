/**
 * An in-process lock per key: callers with the same key run one after another, in call order.
 * The embedded engine allows one process per data directory, so within it this alone makes a
 * read-then-write sequence on one object atomic; across processes see version-claims.ts.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` once every earlier task of `key` has settled. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      // The last waiter of a key removes it, so the map does not grow with every object ever written.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** The process-wide locks every metadata writer shares. */
export const processLocks = new KeyedMutex();
