import os from 'node:os';
import {
  cleanEnv,
  seededDataDir,
  spawnManaged,
  type ManagedProcess,
} from '../../durability/support/processes';
import type { Cluster } from './cluster';

/** A `council worker` process on the cluster. */
export interface ClusterWorker extends ManagedProcess {
  tag: string;
  /** Its Temporal worker identity (the SDK's default, `<pid>@<hostname>`), as histories record it. */
  identity: string;
  /** Resolves when it logs that it polls; rejects if it exits first. */
  ready: Promise<void>;
}

/**
 * Starts `council worker` as its own OS process against the cluster, as a deployment would: the
 * cluster's address, the shared S3 blob store, provider keys and base URLs pointing at the mock LLM.
 * The `tag` goes out as the OpenAI-Organization header, so the mock's journal names the worker of
 * each call (test/durability's startWorkerProcess does the same, without the blob store's variables).
 */
export function startClusterWorker(
  cluster: Cluster,
  options: { llmUrl: string; tag: string; taskQueue: string; maxConcurrentCalls?: number },
): ClusterWorker {
  const env = cleanEnv({
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: 'default',
    COUNCIL_TASK_QUEUE: options.taskQueue,
    COUNCIL_SHUTDOWN_GRACE_MS: '1000',
    ...(options.maxConcurrentCalls
      ? { COUNCIL_MAX_CONCURRENT_CALLS: String(options.maxConcurrentCalls) }
      : {}),
    COUNCIL_DATA_DIR: seededDataDir(),
    OPENAI_API_KEY: `key-${options.tag}`,
    OPENAI_ORG_ID: options.tag,
    OPENAI_BASE_URL: `${options.llmUrl}/v1`,
    ANTHROPIC_API_KEY: `key-${options.tag}`,
    ANTHROPIC_BASE_URL: options.llmUrl,
    ...cluster.blobEnv,
  });
  const managed = spawnManaged(`worker ${options.tag}`, ['client/cli/main.ts', 'worker'], env);
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (managed.output().includes('council worker polling')) resolve();
    };
    managed.child.stdout?.on('data', check);
    managed.child.stderr?.on('data', check);
    void managed.exited.then(({ code, signal }) =>
      reject(new Error(`${managed.name} exited (${code ?? signal}) before polling:\n${managed.output()}`)),
    );
  });
  // A worker killed on purpose later must not surface as an unhandled rejection.
  ready.catch(() => undefined);
  return Object.assign(managed, { tag: options.tag, identity: `${managed.pid}@${os.hostname()}`, ready });
}
