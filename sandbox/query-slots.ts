/**
 * At most N sandbox queries at once in this process: each may take SQL_MEMORY_LIMIT_MB and SQL_THREADS, so the cap
 * bounds what analysts' SQL can take from the server. Others wait in line, each at most its own time limit.
 */
import { errors } from '../common/errors.ts';

export class QuerySlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  /** Resolves with the slot's release once one is free; refuses (503) after `waitMs` in line. */
  acquire(waitMs: number): Promise<() => void> {
    const release = () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve, reject) => {
      const handOver = () => {
        clearTimeout(timer);
        resolve(once(release));
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(handOver), 1);
        reject(errors.unavailable(`${this.max} SQL queries are running; try again in a moment`));
      }, waitMs);
      this.waiting.push(handOver);
    });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
