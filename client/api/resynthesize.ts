import { setTimeout as sleep } from 'node:timers/promises';
import {
  QueryNotRegisteredError,
  ServiceError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { councilContextSchema, type SynthesisConfig } from '../../common/council';
import { DEFAULT_TASK_QUEUE } from '../../common/defaults';
import type { PeerReviewConfig } from '../../common/peerReview';
import {
  councilRecordQuery,
  RESYNTHESIS_SCHEMA_VERSION,
  type CouncilRecord,
  type ResynthesisSource,
  type ResynthesisWorkflowInput,
} from '../../common/resynthesis';
import { formatPath, zodProblem } from '../../common/validation';
import {
  DEFAULT_SYNTHESIZER_NAME,
  synthesizerNameClash,
  withSynthesizerApart,
} from '../../common/councilRouting';
import type { councilWorkflow } from '../../workflows';
import { startCouncilWorkflow } from './council';
import { attachCouncil } from './councilAttach';
import { type CouncilCallbacks, type ExecutionResult } from './councilTypes';
import { CouncilUserError, RunNotFoundError } from '../../common/userError';

/** The memo key under which a re-synthesis names its source council (read by `council show`). */
export const RESYNTHESIS_MEMO_KEY = 'councilResynthesizedFrom';

/** What a re-synthesis changes; everything else is the source council's. */
export interface ResynthesisOptions {
  /** Fields that replace the source's synthesizer settings: another model, name or system prompt. */
  synthesizer?: Partial<SynthesisConfig>;
  /** Rank the recorded answers anew (e.g. with another rubric); no peer review when absent. */
  peerReview?: PeerReviewConfig;
  /** Id of the new council; a random `council-…` id when absent. */
  councilId?: string;
  /** The source's task queue unless given: its workers serve the new council. */
  taskQueue?: string;
}

/** Why `description` is no council whose answers can be reused; undefined when it is one. */
export function unusableSource(description: WorkflowExecutionDescription): CouncilUserError | undefined {
  const sourceId = description.workflowId;
  if (description.type !== 'councilWorkflow') {
    return new CouncilUserError(`"${sourceId}" is a ${description.type}, not a council`, LIST_HINT);
  }
  const status = description.status.name;
  if (status === 'COMPLETED') return undefined;
  const wait = status === 'RUNNING' ? `wait for it: \`council attach ${sourceId}\`` : LIST_HINT;
  const state = status.toLowerCase().replace(/_/g, ' ');
  return new CouncilUserError(
    `council "${sourceId}" is ${state}: only a completed council's answers can be re-synthesized`,
    wait,
  );
}

const LIST_HINT = 'list councils with `council list`';

/** gRPC's FAILED_PRECONDITION: among others, "no poller seen for task queue recently". */
const GRPC_FAILED_PRECONDITION = 9;
/** How long a query waits for a worker that has just started to be seen polling. */
const NO_POLLER_WAIT = { attempts: 50, intervalMs: 200 };

/**
 * The record query. A finished council is answered by a worker replaying it; one that has just
 * started (as the CLI's own does) is not seen polling at once, and the server refuses the query.
 */
export async function queryRecord(handle: WorkflowHandle<typeof councilWorkflow>): Promise<CouncilRecord> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await handle.query(councilRecordQuery);
    } catch (error) {
      const code = error instanceof ServiceError && (error.cause as { code?: number })?.code;
      if (code !== GRPC_FAILED_PRECONDITION || attempt >= NO_POLLER_WAIT.attempts) throw error;
      await sleep(NO_POLLER_WAIT.intervalMs);
    }
  }
}

/**
 * The source council's context and recorded answers, and the task queue it ran on, or a one-line
 * error saying why there are none.
 */
async function readSource(client: Client, sourceId: string): Promise<CouncilRecord & { taskQueue: string }> {
  const handle = client.workflow.getHandle<typeof councilWorkflow>(sourceId);
  const description = await handle.describe().catch((error: unknown) => {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    throw new RunNotFoundError('council', sourceId, LIST_HINT, { cause: error });
  });
  const unusable = unusableSource(description);
  if (unusable) throw unusable;
  try {
    return { ...(await queryRecord(handle)), taskQueue: description.taskQueue };
  } catch (error) {
    if (!(error instanceof QueryNotRegisteredError)) throw error;
    const fix = 'run a worker of this version or later, which answers it';
    throw new CouncilUserError(`council "${sourceId}" ran on a worker without re-synthesis`, fix, {
      cause: error,
    });
  }
}

/**
 * Starts a council that reuses the recorded answers of the completed council `sourceId`: no expert
 * is asked again; only peer review (when `options.peerReview` is given) and the synthesis run.
 * Resolves with the new council's id; its result names the source in `resynthesizedFrom`.
 */
export async function startResynthesis(
  client: Client,
  sourceId: string,
  options: ResynthesisOptions = {},
): Promise<string> {
  const record = await readSource(client, sourceId);
  const given = { ...record.context.synthesisConfig, ...options.synthesizer };
  // A source whose synthesizer had the default name beside an expert of that name (the seed's
  // sample, or a council from before such names were taken apart): unless named now, it is unnamed.
  const unnamed = options.synthesizer?.name === undefined && given.name === DEFAULT_SYNTHESIZER_NAME;
  const synthesisConfig = unnamed
    ? withSynthesizerApart({ ...given, name: undefined }, record.context.activeExperts)
    : given;
  // The source's own peer review is not rerun unless asked for: options.peerReview replaces it. A
  // source begun before debateRounds was a debate's own carries the default in every mode.
  const { debateRounds, ...source } = record.context;
  const debate = source.mode === 'adversarial' && debateRounds !== undefined && { debateRounds };
  const context = { ...source, ...debate, peerReview: options.peerReview, synthesisConfig };
  const { outputs, messages, rounds } = record;
  const queued = { ...options, taskQueue: options.taskQueue ?? record.taskQueue };
  return startResynthesisOf(client, context, { sourceId, outputs, messages, rounds }, queued);
}

/**
 * Starts the council that re-synthesizes `source` under `context`, checked first; the memo names the
 * source. Shared by councils and sessions (client/api/sessionResynthesis.ts) as sources.
 */
export async function startResynthesisOf(
  client: Client,
  context: unknown,
  source: ResynthesisSource,
  options: Pick<ResynthesisOptions, 'councilId' | 'taskQueue'>,
): Promise<string> {
  const answers = Object.keys(source.outputs).length;
  const reviewed = (context as { peerReview?: unknown } | null)?.peerReview !== undefined;
  if (reviewed && answers < 3) {
    // The schema's advice (add an expert) cannot apply: a re-synthesis takes the answers there are.
    throw new CouncilUserError(
      `peer review of "${source.sourceId}" needs three answers or more (each reviewer ranks two others'), and it has ${answers}`,
      're-synthesize it without peer review',
    );
  }
  const parsed = councilContextSchema.safeParse(context);
  // Only the synthesizer is new here: the experts' names are the source's, whatever they were.
  const clash = parsed.success ? synthesizerNameClash(parsed.data) : undefined;
  const problem = parsed.success
    ? clash && `${formatPath(clash.path)}: ${clash.message}`
    : zodProblem(parsed.error);
  if (problem || !parsed.success) {
    throw new CouncilUserError(
      `invalid re-synthesis of "${source.sourceId}": ${problem}`,
      'fix the fields named',
    );
  }
  const input: ResynthesisWorkflowInput = {
    schemaVersion: RESYNTHESIS_SCHEMA_VERSION,
    context: parsed.data,
    resynthesizeFrom: source,
  };
  return startCouncilWorkflow(
    client,
    options.councilId ?? `council-${crypto.randomUUID()}`,
    {
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [input],
      memo: { [RESYNTHESIS_MEMO_KEY]: source.sourceId },
    },
    'pick another councilId',
  );
}

/** {@link startResynthesis}, then follows the new council to its result. */
export async function resynthesizeCouncil(
  client: Client,
  sourceId: string,
  options: ResynthesisOptions & CouncilCallbacks = {},
): Promise<ExecutionResult> {
  const councilId = await startResynthesis(client, sourceId, options);
  return attachCouncil(client, councilId, options);
}
