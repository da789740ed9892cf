import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { COUNCIL_SCHEMA_VERSION, councilContextSchema } from '../../common/council';
import type { CouncilContext } from '../../common/council';
import { councilNameClashes, withSynthesizerApart } from '../../common/councilRouting';
import { promptShareProblem } from '../../workflows/council/turnShares';
import {
  humanMessageSchema,
  injectHumanMessageUpdate,
  skipExpertUpdate,
  type ExpertSkip,
  type HumanMessageInput,
} from '../../common/councilApi';
import { DEFAULT_TASK_QUEUE } from '../../common/defaults';
import {
  CONTINUATION_SCHEMA_VERSION,
  priorConversationSchema,
  type PriorConversation,
} from '../../common/savedConversation';
import { formatPath, zodProblem } from '../../common/validation';
import type { councilWorkflow } from '../../workflows';
import {
  createExpertMessage as stampedMessage,
  type ExpertMessageFields,
} from '../../workflows/council/messages';
import { attachCouncil } from './councilAttach';
import {
  toExpertMessage,
  type ExecutionContext,
  type ExecutionResult,
  type ExpertMessage,
  type OnExpertUpdate,
  type OnStatusUpdate,
} from './councilTypes';
import { CouncilUserError, SessionIdTakenError } from '../../common/userError';
import { checkCallbacks, checkPollInterval, checkSeedContext, workflowExpert } from './seedContext';
import { executeUpdateWithRetry } from './updateRetry';
import type { OnToken } from './tokens';
import { councilMetadata } from './webUi';
import { QUESTION_MEMO_KEY } from './runRow';
import { checkedNewRunId } from './runIdRule';

/** Where and under which id a council runs. */
export interface CouncilRunOptions {
  councilId?: string;
  taskQueue?: string;
  pollIntervalMs?: number;
  /** Called with each expert's (and the synthesizer's) text as it streams (client/tokens.ts). */
  onToken?: OnToken;
  /**
   * An earlier conversation the council goes on from (e.g. `priorConversationOf(loadConversation(file),
   * file)`): its messages come before round 1, each shown to the experts that may see it.
   */
  continueFrom?: PriorConversation;
}

/** The seed's `createExpertMessage`, stamped with a random id and the current time. */
export function createExpertMessage(...fields: ExpertMessageFields): ExpertMessage {
  const stamp = { id: crypto.randomUUID(), timestamp: new Date().toISOString() };
  return toExpertMessage(stampedMessage(stamp, ...fields));
}

/**
 * Refuses a council whose task and system prompts, sent whole in every turn, would take its one
 * run's prompts past their budget (workflows/council/turnShares.ts).
 */
export function refuseOversizedCouncil(context: CouncilContext): void {
  const oversized = promptShareProblem(context);
  if (oversized) {
    throw new CouncilUserError(
      `council too large for one run's history: ${oversized}`,
      'shorten the task or the system prompts, or plan fewer turns (fewer experts or debateRounds)',
    );
  }
}

/** Validates the context and starts the council workflow; resolves with its id without waiting. */
export async function startCouncil(
  client: Client,
  context: ExecutionContext,
  options: CouncilRunOptions = {},
): Promise<string> {
  checkSeedContext(context);
  // Handlers are functions and contexts a past run's snapshot: only the plain-JSON spec goes on.
  const activeExperts = context.activeExperts.map(workflowExpert);
  const synthesisConfig = withSynthesizerApart(context.synthesisConfig, activeExperts);
  const parsed = councilContextSchema.safeParse({ ...context, activeExperts, synthesisConfig });
  if (!parsed.success) {
    throw new CouncilUserError(
      `invalid council context: ${zodProblem(parsed.error)}`,
      'fix the fields named',
    );
  }
  const clashes = councilNameClashes(parsed.data);
  if (clashes.length > 0) {
    const listed = clashes.map(({ path, message }) => `${formatPath(path)}: ${message}`).join('; ');
    throw new CouncilUserError(
      `invalid council context: ${listed}`,
      'rename the experts or the synthesizer named',
    );
  }
  refuseOversizedCouncil(parsed.data);
  const prior = options.continueFrom && priorConversationSchema.safeParse(options.continueFrom);
  if (prior && !prior.success) {
    const hint =
      'pass priorFromFile(FILE) for a conversation saved with `council show ID --save FILE`, or priorFromCouncil(client, ID)';
    throw new CouncilUserError(`invalid continueFrom: ${zodProblem(prior.error)}`, hint);
  }
  const input = prior
    ? { schemaVersion: CONTINUATION_SCHEMA_VERSION, context: parsed.data, continueFrom: prior.data }
    : { schemaVersion: COUNCIL_SCHEMA_VERSION, context: parsed.data };
  return startCouncilWorkflow(
    client,
    options.councilId ?? `council-${crypto.randomUUID()}`,
    {
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [input],
      ...councilMetadata(parsed.data),
    },
    'pick another councilId, or follow a running one with attachCouncil',
  );
}

/**
 * Starts `councilWorkflow` under `councilId` and resolves with it. An id names one council, for
 * attachCouncil: never a second one after the first has ended, so a taken id is a user error.
 */
export async function startCouncilWorkflow(
  client: Client,
  councilId: string,
  options: Omit<WorkflowStartOptions<typeof councilWorkflow>, 'workflowId' | 'workflowIdReusePolicy'>,
  hint: string,
): Promise<string> {
  checkedNewRunId(councilId, 'councilId');
  try {
    await client.workflow.start<typeof councilWorkflow>('councilWorkflow', {
      ...options,
      memo: { ...options.memo, [QUESTION_MEMO_KEY]: options.args[0].context.task },
      workflowId: councilId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    throw new SessionIdTakenError(`a session or council with id "${councilId}" already exists`, hint, {
      cause: error,
    });
  }
  return councilId;
}

/**
 * The seed's `executeCouncilExperts`, run as a durable workflow. The one deviation from the seed:
 * the Temporal client comes first. Callbacks are driven by the workflow's progress log, so
 * {@link attachCouncil} from another process after a crash sees the same updates.
 */
export async function executeCouncilExperts(
  client: Client,
  context: ExecutionContext,
  onExpertUpdate?: OnExpertUpdate,
  onStatusUpdate?: OnStatusUpdate,
  options: CouncilRunOptions = {},
): Promise<ExecutionResult> {
  checkPollInterval(options.pollIntervalMs);
  checkSeedContext(context);
  checkCallbacks({ onExpertUpdate, onStatusUpdate, onToken: options.onToken });
  context.activeExperts.forEach((expert, index) =>
    checkCallbacks({ [`activeExperts[${index}].messageHandler`]: expert.messageHandler }),
  );
  const messageHandlers = Object.fromEntries(
    context.activeExperts.flatMap((e) => (e.messageHandler ? [[e.id, e.messageHandler] as const] : [])),
  );
  const councilId = await startCouncil(client, context, options);
  const { pollIntervalMs, onToken } = options;
  return attachCouncil(client, councilId, {
    onExpertUpdate,
    onStatusUpdate,
    messageHandlers,
    pollIntervalMs,
    ...(onToken ? { onToken } : {}),
  });
}

/** Adds a person's message to a running council, for every expert or for one (`recipient`). */
export async function sendHumanMessage(
  client: Client,
  councilId: string,
  message: HumanMessageInput,
): Promise<ExpertMessage> {
  // Checked before it is sent: the payload codec would store an oversized one in the blob store
  // before the council refused it, and it would stay there until `council gc`.
  const checked = humanMessageSchema.safeParse(message);
  if (!checked.success) throw new CouncilUserError(`invalid message: ${zodProblem(checked.error)}`);
  const handle = client.workflow.getHandle<typeof councilWorkflow>(councilId);
  return toExpertMessage(await executeUpdateWithRetry(handle, 'council', injectHumanMessageUpdate, message));
}

/**
 * Skips an expert's call in flight (by expert id, e.g. `b`): the call, and its hedge's backup if
 * started, is cancelled, the turn is recorded as `skipped` and the round goes on without it. Throws
 * a CouncilUserError for an unknown expert, one with no call in flight, or a council that has ended.
 */
export async function skipExpert(client: Client, councilId: string, expertId: string): Promise<ExpertSkip> {
  return executeUpdateWithRetry(client.workflow.getHandle(councilId), 'council', skipExpertUpdate, expertId);
}
