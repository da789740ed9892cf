import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPollingWorker, type DurableEnvironment } from './environment';
import { cleanEnv, spawnManaged, waitFor, type ManagedProcess } from './processes';
import { panelist } from './temporal';

/** A `council run` whose two calls are held at the model, and the environment it ran in. */
export interface HeldCliRun {
  run: ManagedProcess;
  /** The CLI's environment: the cluster's address, the task queue and a data folder of its own. */
  env: Record<string, string>;
}

/**
 * Starts a worker process on `taskQueue`, then `council run QUESTION --id ID` of a broadcast to P1
 * and P2 in a CLI process, and resolves once the run has started and both calls are held (the
 * environment must hold every call).
 */
export async function startHeldCliRun(
  environment: DurableEnvironment,
  options: { taskQueue: string; id: string; question: string; dataDirPrefix: string },
): Promise<HeldCliRun> {
  const { answerer, server } = environment;
  const { taskQueue, id } = options;
  await startPollingWorker(environment, taskQueue, 'worker-1');
  const dir = mkdtempSync(path.join(os.tmpdir(), options.dataDirPrefix));
  const config = path.join(dir, 'panel.json');
  writeFileSync(
    config,
    JSON.stringify({ strategy: 'broadcast', participants: [panelist('P1'), panelist('P2')] }),
  );
  // The CLI talks to the cluster only: its worker is the separate process above, keys live there.
  const env = cleanEnv({
    TEMPORAL_ADDRESS: server.address,
    COUNCIL_TASK_QUEUE: taskQueue,
    COUNCIL_DATA_DIR: dir,
  });
  const run = spawnManaged(
    'council run',
    ['client/cli/main.ts', 'run', options.question, '--config', config, '--id', id],
    env,
  );
  await waitFor(
    'the run to be waiting on its answers',
    () => run.stdout().includes(`Started session ${id}`) && answerer.held.length === 2,
    60_000,
  );
  return { run, env };
}
