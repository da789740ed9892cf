import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import IntervalStoppingEnvironment from './environment';

function newEnvironment(): IntervalStoppingEnvironment {
  const config = {
    projectConfig: { testEnvironmentOptions: {}, globals: {} },
    globalConfig: {},
  } as unknown as JestEnvironmentConfig;
  const context = { console, docblockPragmas: {}, testPath: __filename } as unknown as EnvironmentContext;
  return new IntervalStoppingEnvironment(config, context);
}

async function ticksOf(count: () => number, waitMs: number): Promise<number> {
  const before = count();
  await sleep(waitMs);
  return count() - before;
}

describe("the test environment's end of a file", () => {
  it('stops the intervals the file left running, which keep the whole file in memory', async () => {
    const environment = newEnvironment();
    const sandbox = environment.global as unknown as typeof globalThis;
    let ticks = 0;
    sandbox.setInterval(() => (ticks += 1), 5).unref();
    expect(await ticksOf(() => ticks, 60)).toBeGreaterThan(0);
    await environment.teardown();
    expect(await ticksOf(() => ticks, 60)).toBe(0);
  });

  it("leaves the file's own clearInterval working, and its timeouts alone", async () => {
    const environment = newEnvironment();
    const sandbox = environment.global as unknown as typeof globalThis;
    let ticks = 0;
    const interval = sandbox.setInterval(() => (ticks += 1), 5);
    sandbox.clearInterval(interval);
    expect(await ticksOf(() => ticks, 40)).toBe(0);
    let fired = false;
    sandbox.setTimeout(() => (fired = true), 5);
    await environment.teardown();
    await sleep(40);
    expect(fired).toBe(true);
  });
});
