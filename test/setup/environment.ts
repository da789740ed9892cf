import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';

/**
 * Jest's node environment, which also stops every interval a test file started with `setInterval`
 * and left running, once the file has ended. A live interval keeps its callback reachable, and
 * through it the file's whole sandbox (its global, every module it loaded, the store jest keeps for
 * the hook that started it) for the rest of the worker's life. aimock starts unref'd 60 s sweeps it
 * never stops (one when it loads, one per server), so each test file stayed in memory: ~20 MB a
 * file, gigabytes a worker, and the garbage collection of such a heap stalled workflow tasks for
 * seconds.
 */
export default class IntervalStoppingEnvironment extends NodeEnvironment {
  private readonly liveIntervals = new Set<NodeJS.Timeout>();

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const sandbox = this.global as unknown as typeof globalThis;
    const { setInterval: startInterval, clearInterval: stopInterval } = sandbox;
    sandbox.setInterval = ((...args: Parameters<typeof setInterval>) => {
      const interval = startInterval(...args);
      this.liveIntervals.add(interval);
      return interval;
    }) as typeof setInterval;
    sandbox.clearInterval = (interval?: string | number | NodeJS.Timeout) => {
      if (typeof interval === 'object') this.liveIntervals.delete(interval);
      stopInterval(interval);
    };
  }

  override async teardown(): Promise<void> {
    for (const interval of this.liveIntervals) clearInterval(interval);
    this.liveIntervals.clear();
    await super.teardown();
  }
}
