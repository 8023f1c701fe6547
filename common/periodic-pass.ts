/** A pass that runs every `everyMs` inside the server, never two at once, and stops cleanly. */

export interface PeriodicPass {
  /** One pass now, unless one is running (then that one). A failing pass is reported and answers 0. */
  runNow(): Promise<number>;
  /** Stops the timer; resolves once a pass in flight has finished its current item (the warehouse may then close). */
  stop(): Promise<void>;
}

/** `pass` is given `stopped()` so it can end after the item in hand rather than after the whole pass. */
export function startPeriodicPass(everyMs: number, pass: (stopped: () => boolean) => Promise<number>, onError: (err: unknown) => void): PeriodicPass {
  let running: Promise<number> | undefined;
  let stopped = false;
  const runNow = () => {
    if (stopped) return Promise.resolve(0);
    running ??= pass(() => stopped)
      .catch((err: unknown) => {
        onError(err);
        return 0;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runNow(), everyMs);
  timer.unref();
  return {
    runNow,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
