/**
 * A lock that many holders share and one holder may take alone: event writers share it, and a rollup rebuild
 * takes it alone so that no event is stored between the rebuild's truncate and its refill (which would count the
 * event both through its view and through the refill). A holder that wants it alone waits for the shared holders
 * in flight to finish; shared holders that arrive meanwhile wait behind it, so it is never starved.
 */
export class SharedExclusiveLock {
  private sharedHolders = 0;
  /** Settles when the exclusive holder (waiting or running) lets go. */
  private exclusive: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  /** True while an exclusive holder waits or runs. */
  get heldExclusively(): boolean {
    return this.exclusive !== undefined;
  }

  async shared<T>(task: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    this.sharedHolders++;
    try {
      return await task();
    } finally {
      if (--this.sharedHolders === 0) this.drained?.();
    }
  }

  async alone<T>(task: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    let release!: () => void;
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.sharedHolders > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await task();
    } finally {
      this.exclusive = undefined;
      release();
    }
  }
}
