import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { CouncilContextInput } from '../../common/council';
import { attachCouncil, startCouncil, type ExecutionResult, type ExpertUpdate } from '../council';
import { CouncilUserError } from '../errors';
import { councilRows, formatPeerReview, peerReviewFields } from './councilShow';
import { matchActivities } from './followSession';
import { exitCodeOf, formatAnswer, formatUsage, totalUsage, type ExitCode, type Output } from './output';
import { createRenderer, type ParticipantLine, type ProgressRenderer } from './progress';
import type { CliRuntime } from './runtime';
import { idTaken, type FoundWorkflow } from './workflows';

/** What a `run` of a council needs. */
export interface CouncilRunStart {
  id: string;
  taskQueue: string;
  context: Omit<CouncilContextInput, 'task'>;
  task: string;
  simulated: boolean;
  startedMs: number;
}

/** Starts a council, follows it to its end and prints its result; returns the exit code. */
export async function runCouncil(
  runtime: CliRuntime,
  out: Output,
  start: CouncilRunStart,
): Promise<ExitCode> {
  try {
    await startCouncil(
      runtime.client,
      { ...start.context, task: start.task },
      { councilId: start.id, taskQueue: start.taskQueue },
    );
  } catch (error) {
    const taken =
      error instanceof CouncilUserError && error.cause instanceof WorkflowExecutionAlreadyStartedError;
    throw taken ? await idTaken(runtime.client, start.id, error) : error;
  }
  return followCouncil(runtime.client, start.id, out, start.simulated, start.startedMs);
}

/** `attach` to a council: its progress log is replayed from the start, then followed live. */
export function attachCouncilRun(
  client: Client,
  found: FoundWorkflow,
  out: Output,
  simulated: boolean,
): Promise<ExitCode> {
  return followCouncil(
    client,
    found.description.workflowId,
    out,
    simulated,
    found.description.startTime.getTime(),
  );
}

async function followCouncil(
  client: Client,
  id: string,
  out: Output,
  simulated: boolean,
  startedMs: number,
): Promise<ExitCode> {
  const renderer = createRenderer(out.json ? process.stderr : process.stdout, { answers: !out.json });
  const board = new CouncilBoard(renderer);
  const handle = client.workflow.getHandle(id);
  // Retries show up only in the pending activities of the workflow's description.
  const retries = setInterval(() => void board.pollRetries(handle).catch(() => undefined), 500);
  let result: ExecutionResult;
  try {
    result = await attachCouncil(client, id, {
      onExpertUpdate: (_expertId, update) => board.expert(update),
      onStatusUpdate: (status) => board.status(status),
      pollIntervalMs: 300,
    });
    board.synthesized(result);
  } finally {
    clearInterval(retries);
    renderer.stop();
  }
  return reportCouncil(result, out, simulated, startedMs);
}

const SYNTHESIS = 'Synthesis';

/** The live state of every expert and the synthesizer, fed by the council's progress log. */
class CouncilBoard {
  private readonly lines = new Map<string, ParticipantLine>();
  private readonly order: string[] = [];

  constructor(private readonly renderer: ProgressRenderer) {}

  expert(update: ExpertUpdate): void {
    const role =
      update.phase === 'answer' ? `round ${update.round}` : `${update.phase}, round ${update.round}`;
    if (update.state === 'thinking') {
      this.set(update.expertName, role, { kind: 'thinking', sinceMs: Date.now() });
    } else if (update.state === 'failed') {
      const reason = update.error ? `${update.error.type}: ${update.error.message}` : 'failed';
      this.set(update.expertName, role, { kind: 'failed', reason });
    } else {
      this.set(update.expertName, role, { kind: 'done', tokens: update.tokenUsage?.totalTokens ?? 0 });
      // A ranking is no answer: it is printed with the result (peer review).
      if (update.phase === 'review') return;
      const usage = update.tokenUsage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
      this.renderer.answer({
        name: update.expertName,
        role,
        status: 'ok',
        content: update.content ?? '',
        tokenUsage: usage,
      });
    }
  }

  status(status: string): void {
    if (status === 'synthesizing')
      this.set('Synthesis', 'synthesizer', { kind: 'thinking', sinceMs: Date.now() });
  }

  /** The synthesizer's final line; its text is printed with the summary. */
  synthesized(result: ExecutionResult): void {
    const { synthesis } = result;
    const state: ParticipantLine['state'] =
      synthesis.status === 'done'
        ? { kind: 'done', tokens: synthesis.tokenUsage.totalTokens }
        : synthesis.status === 'failed'
          ? { kind: 'failed', reason: `${synthesis.error?.type}: ${synthesis.error?.message}` }
          : { kind: 'skipped', reason: 'no expert answered' };
    this.set(SYNTHESIS, 'synthesizer', state);
  }

  async pollRetries(handle: WorkflowHandle): Promise<void> {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const thinking = this.order.filter((name) => this.lines.get(name)?.state.kind === 'thinking');
    for (const [name, activity] of matchActivities(thinking, pending)) {
      const line = this.lines.get(name);
      if (!line || (activity.attempt ?? 1) <= 1) continue;
      const reason = activity.lastFailure?.message?.split('\n')[0] ?? 'retrying';
      this.set(name, line.role, { kind: 'retrying', attempt: activity.attempt ?? 2, reason });
    }
  }

  private set(name: string, role: string, state: ParticipantLine['state']): void {
    if (!this.lines.has(name)) this.order.push(name);
    this.lines.set(name, { name, role, state });
    this.renderer.update(this.order.flatMap((key) => this.lines.get(key) ?? []));
  }
}

function reportCouncil(
  result: ExecutionResult,
  out: Output,
  simulated: boolean,
  startedMs: number,
): ExitCode {
  const rows = councilRows(result);
  const exitCode = exitCodeOf(rows);
  const elapsedMs = Date.now() - startedMs;
  if (out.json) {
    out.result({
      id: result.councilId,
      kind: 'council',
      mode: result.mode,
      task: result.task,
      simulated,
      status: exitCode === 0 ? 'ok' : exitCode === 2 ? 'partial' : 'failed',
      exitCode,
      rounds: result.rounds,
      responses: rows,
      synthesis: result.synthesis,
      usage: totalUsage(rows),
      elapsedMs,
      ...(result.messages ? { messages: result.messages } : {}),
      ...peerReviewFields(result),
      ...(result.resynthesizedFrom !== undefined && { resynthesizedFrom: result.resynthesizedFrom }),
    });
    return exitCode;
  }
  const review = formatPeerReview(result);
  if (review) out.say(review);
  const synthesis = rows[rows.length - 1];
  if (synthesis) out.say(`\n── Synthesis ──\n${formatAnswer(synthesis)}`);
  out.say(formatUsage(rows, elapsedMs));
  return exitCode;
}
