import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { MODEL_CALL_ACTIVITY } from '../activities/types';
import type { BenchContext } from './harness';

/** Worker processes of the recovery measurement (bench/recovery.ts), and what it waits for. */
const ROOT = path.resolve(__dirname, '..');

/** A council worker as users run it: workers/main.ts, configured by environment only. */
export function spawnCouncilWorker(ctx: BenchContext, taskQueue: string, spawned: ChildProcess[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'main.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: ctx.server.address,
      TEMPORAL_NAMESPACE: ctx.server.namespace,
      COUNCIL_TASK_QUEUE: taskQueue,
      OPENAI_BASE_URL: `${ctx.mock.url}/v1`,
      OPENAI_API_KEY: 'bench-key',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  spawned.push(child);
  const spawnedAt = Date.now();
  const polling = new Promise<number>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('polling task queue')) resolve(Date.now() - spawnedAt);
    });
    child.once('exit', (code) => reject(new Error(`workers/main.ts exited (${code}): ${stderr.trim()}`)));
  });
  polling.catch(() => undefined);
  return { child, spawnedAt, polling };
}

export function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function waitForCall(ctx: BenchContext, speaker: string, since: number, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const arrival = (await ctx.mock.stats(since)).arrivals.find((a) => a.speaker === speaker);
    if (arrival) return arrival.at;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no call from ${speaker} within ${timeoutMs} ms`);
}

export async function firstCallSince(ctx: BenchContext, speakers: string[], since: number): Promise<number> {
  const arrivals = (await ctx.mock.stats(since)).arrivals.filter((a) => speakers.includes(a.speaker));
  return Math.min(...arrivals.map((a) => a.at));
}

/**
 * The pid of the worker whose attempt of `speaker`'s call is in flight, from the server's view of the
 * pending call (the SDK's default identity is `pid@host`); polled until the attempt has started.
 */
export async function workerRunningCall(handle: WorkflowHandle, speaker: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const call = pending.find(
      (activity) =>
        activity.activityType?.name === MODEL_CALL_ACTIVITY &&
        activity.lastWorkerIdentity &&
        // Activity ids read `r<round>.<phase>.<participant>` (workflows/shared/callModel.ts).
        activity.activityId?.endsWith(`.${speaker}`),
    );
    if (call?.lastWorkerIdentity) return Number(call.lastWorkerIdentity.split('@')[0]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no started call of ${speaker} within ${timeoutMs} ms`);
}
