/** What a poll of {@link startPollWatch} hands its results through. */
export interface PollDelivery {
  /**
   * Calls the watcher's callback with what the poll found, unless the watch has stopped. A callback
   * that throws stops the watch; `stop()` rethrows its error.
   */
  deliver(callback: () => void): void;
}

/** A running watch; `stop` ends it after the poll in flight and rethrows the callback's error. */
export interface PollWatch {
  stop(): Promise<void>;
}

/**
 * Polls every `pollMs` until `stop()` (or a callback throws). A poll that fails (a worker or server
 * restarting) is waited through: the next one catches up. `stop()` cuts the wait between polls short.
 */
export function startPollWatch(poll: (delivery: PollDelivery) => Promise<void>, pollMs: number): PollWatch {
  let stopped = false;
  let wake = (): void => undefined;
  let callbackError: { error: unknown } | undefined;
  const delivery: PollDelivery = {
    deliver(callback) {
      if (stopped) return;
      try {
        callback();
      } catch (error) {
        callbackError = { error };
        stopped = true;
      }
    },
  };
  const loop = (async () => {
    while (!stopped) {
      await poll(delivery).catch(() => undefined);
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
      if (callbackError) throw callbackError.error;
    },
  };
}
