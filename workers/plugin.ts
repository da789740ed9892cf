import type { DataConverter } from '@temporalio/common';
import { SimplePlugin } from '@temporalio/plugin';
import type { WorkerOptions, WorkflowBundle } from '@temporalio/worker';
import { createLlmActivities, providerClientsFromEnv, type LlmActivities } from '../activities';
import { CouncilUserError } from '../common/userError';
import {
  DEFAULT_EAGER_ACTIVITY_RESERVATIONS,
  DEFAULT_STICKY_QUEUE_TIMEOUT_MS,
  WORKFLOWS_PATH,
} from './worker';
import { STREAM_LIMITS } from '../common/stream';

/** What {@link councilPlugin} mounts into a worker. */
export interface CouncilPluginOptions {
  /** The LLM activities; by default made from the worker's environment (OPENAI_API_KEY, ...). */
  activities?: LlmActivities;
  /**
   * Register council's workflows (default true). Pass false when the worker's own `workflowsPath`
   * module re-exports them (`export { sessionWorkflow, councilWorkflow, budgetKeeperWorkflow } from 'council/workflows'`):
   * a worker has one workflow module.
   */
  workflows?: boolean;
  /**
   * A bundle made once with `bundleCouncilWorkflows`, to skip bundling per worker. Without it the
   * worker bundles council's workflows itself, with the workflow interceptor modules of its own options.
   */
  workflowBundle?: WorkflowBundle;
  /** council's converter with its blob store (see `blobStoreFromEnv`); clients must use the same one. */
  dataConverter?: DataConverter;
}

/**
 * The throttle createCouncilWorker uses: streamed text and cancellation both travel in heartbeats,
 * so a mounted worker must not hold them for the SDK's default seconds.
 */
const HEARTBEAT_THROTTLE_MS = STREAM_LIMITS.heartbeatThrottleMs;

/**
 * council as a worker plugin (`@temporalio/plugin`): mounts council's workflows and LLM activities into
 * a worker you build yourself, next to your own activities, interceptors and task queue:
 * `Worker.create({ connection, taskQueue: 'mine', plugins: [councilPlugin()], interceptors })`.
 * Start sessions on that queue (`MultiParticipantSession.create(client, config, { taskQueue: 'mine' })`).
 */
export function councilPlugin(options: CouncilPluginOptions = {}): SimplePlugin {
  return new CouncilPlugin(options);
}

class CouncilPlugin extends SimplePlugin {
  constructor(options: CouncilPluginOptions) {
    const workflows = options.workflows ?? true;
    super({
      name: 'council',
      activities: options.activities ?? createLlmActivities(providerClientsFromEnv(process.env)),
      ...(workflows && options.workflowBundle && { workflowBundle: options.workflowBundle }),
      ...(workflows && !options.workflowBundle && { workflowsPath: councilWorkflowsPath }),
      ...(options.dataConverter && { dataConverter: options.dataConverter }),
    });
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    return {
      ...configured,
      maxHeartbeatThrottleInterval: configured.maxHeartbeatThrottleInterval ?? HEARTBEAT_THROTTLE_MS,
      defaultHeartbeatThrottleInterval: configured.defaultHeartbeatThrottleInterval ?? HEARTBEAT_THROTTLE_MS,
      // A session whose worker dies moves on within seconds, as on createCouncilWorker's workers.
      stickyQueueScheduleToStartTimeout:
        configured.stickyQueueScheduleToStartTimeout ?? DEFAULT_STICKY_QUEUE_TIMEOUT_MS,
      // A broadcast's calls start with the workflow task that schedules them, as on createCouncilWorker's.
      maxEagerActivityReservationsPerWorkflowTask:
        configured.maxEagerActivityReservationsPerWorkflowTask ?? DEFAULT_EAGER_ACTIVITY_RESERVATIONS,
    };
  }
}

/** council's workflow module, unless the worker already has another one (which would be dropped). */
function councilWorkflowsPath(existing: string | undefined): string {
  if (existing === undefined || existing === WORKFLOWS_PATH) return WORKFLOWS_PATH;
  throw new CouncilUserError(
    `the worker already has workflowsPath ${existing}; council's workflows cannot be added to it`,
    "re-export them from that module (export { sessionWorkflow, councilWorkflow, budgetKeeperWorkflow } from 'council/workflows') and pass councilPlugin({ workflows: false })",
  );
}
