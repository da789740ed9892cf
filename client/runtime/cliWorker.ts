import type { DataConverter } from '@temporalio/common';
import { Runtime, type NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { adapterOf, createLlmActivities, providerClientsFromEnv } from '../../activities';
import type { ProviderName } from '../../common/llm';
import { createCouncilWorker, type WorkerPart } from '../../workers/worker';
import {
  loadAimock,
  startSimulatedProviders,
  type SimulatedProviders,
} from '../simulation/simulatedProviders';
import { bundleOptionsFromEnv, cachedWorkflowBundle } from './bundle';
import { connectWorker } from '../../workers/connection';
import { ConciseLogger } from '../../workers/conciseLogger';
import type { TemporalTarget } from './connection';

// A module of its own: the Temporal worker SDK, the activities and the simulated mock load only for a
// command that starts a worker in its process (commandRuntime.ts), not for one served by another's.

/** A worker a CLI command runs in its own process, and the mock that answers for it when simulated. */
export interface CliWorker {
  worker: Worker;
  run: Promise<void>;
  mock: SimulatedProviders | undefined;
}

/** Starts a worker on `taskQueue`; simulated ones answer from a local mock (simulatedProviders.ts). */
export async function startCliWorker(options: {
  target: TemporalTarget;
  taskQueue: string;
  simulated: boolean;
  dataDir: string;
  dataConverter: DataConverter;
  /** True for a command that follows its own run and exits (workers/worker.ts says why). */
  workflowsOnMainThread: boolean;
  serves: WorkerPart;
}): Promise<CliWorker> {
  const { target, taskQueue, simulated, dataDir, dataConverter, workflowsOnMainThread, serves } = options;
  quietRuntime();
  const mock = simulated ? await startSimulatedProviders() : undefined;
  let connection: NativeConnection | undefined;
  try {
    connection = await connectWorker(target);
    const worker = await createCouncilWorker({
      connection,
      namespace: target.namespace,
      taskQueue,
      activities: mock?.activities ?? createLlmActivities(providerClientsFromEnv(process.env)),
      workflowBundle: await workflowBundleFor(dataDir),
      shutdownGraceTime: '2s',
      dataConverter,
      workflowsOnMainThread,
      serves,
    });
    return { worker, run: worker.run(), mock };
  } catch (error) {
    await connection?.close();
    await mock?.stop();
    throw error;
  }
}

/** What a worker a command is about to start will load: its models' providers, and the mock if simulated. */
export interface WorkerNeeds {
  providers: readonly ProviderName[];
  simulated: boolean;
}

/**
 * Loads now what a run's worker would load only once the server is up: the mock when the worker
 * starts; a provider's SDK and Node's fetch at its first call (~85 ms for the mock and the OpenAI
 * SDK, ~20 ms for fetch); the workflow bundle (~15 ms to hash the workflow code and read it). Called
 * while a new server boots in its own process. A load that fails is left to fail again where it is
 * used, with that use's own error.
 */
export async function preloadWorker({ providers, simulated }: WorkerNeeds, dataDir?: string): Promise<void> {
  const loads: Array<() => unknown> = [...new Set(providers)].map((provider) => adapterOf(provider).loadSdk);
  if (providers.length > 0) loads.push(loadFetch);
  if (simulated) loads.push(loadAimock);
  if (dataDir !== undefined) loads.push(() => workflowBundleFor(dataDir));
  // Each load is called inside an async function, so one that throws becomes a settled rejection.
  await Promise.allSettled(loads.map(async (load) => load()));
}

/** Node loads its fetch (undici, ~20 ms) at first use: every provider SDK's first call would wait for it. */
function loadFetch(): void {
  new Headers();
}

/** The bundle workers run, read once per process for each data directory and bundle options. */
const bundles = new Map<string, Promise<WorkflowBundle>>();

function workflowBundleFor(dataDir: string): Promise<WorkflowBundle> {
  // The options come from the environment (encryption keys), which may change between workers.
  const options = bundleOptionsFromEnv(process.env);
  const key = JSON.stringify([dataDir, options]);
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = cachedWorkflowBundle(dataDir, options);
    // A failed read is tried again by the next worker, which reports its own error.
    bundle.catch(() => bundles.delete(key));
    bundles.set(key, bundle);
  }
  return bundle;
}

let runtimeInstalled = false;

/**
 * Worker logs at ERROR: a participant's failed attempt is reported by the CLI itself, and the SDK's
 * WARN would print it again with a stack. No signal handlers of the SDK's own: the CLI decides what
 * Ctrl-C means.
 */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new ConciseLogger('ERROR'),
    // The SDK's core (Rust) logs too: through the same logger, so its retry warnings stay quiet.
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    shutdownSignals: [],
  });
  runtimeInstalled = true;
}
