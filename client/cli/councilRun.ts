import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { CouncilContextInput } from '../../common/council';
import type { PriorConversation } from '../../common/savedConversation';
import {
  attachCouncil,
  startCouncil,
  type ExecutionResult,
  type ExpertMessage,
  type ExpertUpdate,
} from '../council';
import { audienceLine } from '../../common/councilRouting';
import { ZERO_USAGE } from '../../common/llm';
import { CouncilUserError } from '../errors';
import { shownContextsJson } from '../shownContext';
import type { TokenEvent } from '../tokens';
import { councilRows, formatPeerReview, peerReviewFields, synthesisRow } from './councilShow';
import { eventsOf } from './events';
import { formatBudget } from './estimate';
import { matchActivities } from './followSession';
import { messageJsonOf, type HumanMessageJson } from './jsonOutput';
import {
  exitCodeOf,
  formatAnswer,
  formatUsage,
  outcomeOf,
  totalUsage,
  type ExitCode,
  type Output,
} from './output';
import { progressRendererFor, type ParticipantLine, type ProgressRenderer } from './progress';
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
  /** The earlier conversation the council goes on from (`run --from`, `--from-run`). */
  continueFrom?: PriorConversation;
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
      {
        councilId: start.id,
        taskQueue: start.taskQueue,
        ...(start.continueFrom && { continueFrom: start.continueFrom }),
      },
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
  const renderer = progressRendererFor(out);
  const board = new CouncilBoard(renderer, id);
  const people: HumanMessageJson[] = [];
  const handle = client.workflow.getHandle(id);
  // Retries show up only in the pending activities of the workflow's description.
  const retries = setInterval(() => void board.pollRetries(handle).catch(() => undefined), 500);
  let result: ExecutionResult;
  try {
    result = await attachCouncil(client, id, {
      onExpertUpdate: (_expertId, update) => board.expert(update),
      onStatusUpdate: (status, update) => board.status(status, update.until),
      onHumanMessage: (message, update) => {
        people.push({ round: update.round, message: messageJsonOf(message) });
        board.human(message);
      },
      onToken: (event) => board.text(event),
      pollIntervalMs: 300,
    });
    board.synthesized(result);
  } finally {
    clearInterval(retries);
    renderer.stop();
  }
  return reportCouncil(result, out, { simulated, startedMs, people });
}

const SYNTHESIS = 'Synthesis';
/** The line of a council's waits for a person. */
const PEOPLE = 'People';

/** The live state of every expert and the synthesizer, fed by the council's progress log. */
class CouncilBoard {
  private readonly lines = new Map<string, ParticipantLine>();
  private readonly order: string[] = [];

  /** A person wrote during the wait now shown: the wait ends with that. */
  private wrote = false;
  /** Expert names by id: the calls' ids name experts by id, the lines by name. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly renderer: ProgressRenderer,
    private readonly councilId: string,
  ) {}

  /** Streamed text of an expert or the synthesizer still answering. */
  text(event: TokenEvent): void {
    const name = /^r\d+\.synthesis\./.test(event.callId) ? SYNTHESIS : this.names.get(event.participant);
    const line = name === undefined ? undefined : this.lines.get(name);
    if (name !== undefined && (line?.state.kind === 'thinking' || line?.state.kind === 'retrying')) {
      this.renderer.text(name, event);
    }
  }

  expert(update: ExpertUpdate): void {
    this.names.set(update.expertId, update.expertName);
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

  status(status: string, until: Date | undefined): void {
    const waiting = this.lines.get(PEOPLE);
    if (status === 'awaiting-human' && until) {
      this.wrote = false;
      const hint = `send one: council send ${this.councilId} "…"`;
      this.set(PEOPLE, 'between rounds', { kind: 'person', untilMs: until.getTime(), hint });
    } else if (waiting?.state.kind === 'person' && !waiting.state.outcome) {
      const outcome = this.wrote ? 'a person wrote: going on' : 'no message in time: going on';
      this.set(PEOPLE, waiting.role, { ...waiting.state, outcome });
    }
    if (status === 'synthesizing')
      this.set('Synthesis', 'synthesizer', { kind: 'thinking', sinceMs: Date.now() });
  }

  /** A person's message, printed where it came, like an answer. */
  human(message: ExpertMessage): void {
    this.wrote = true;
    const to = audienceLine(message);
    this.renderer.answer({
      name: message.senderName,
      role: `person, ${to}`,
      status: 'ok',
      content: message.content,
      tokenUsage: { ...ZERO_USAGE },
    });
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
  { simulated, startedMs, people }: { simulated: boolean; startedMs: number; people: HumanMessageJson[] },
): ExitCode {
  const rows = councilRows(result);
  const exitCode = exitCodeOf(rows);
  const elapsedMs = Date.now() - startedMs;
  eventsOf(out)?.({ type: 'synthesis', ...synthesisRow(result.synthesis) });
  if (out.json) {
    out.result({
      type: 'council-result',
      id: result.councilId,
      kind: 'council',
      mode: result.mode,
      task: result.task,
      simulated,
      status: outcomeOf(exitCode),
      exitCode,
      rounds: result.rounds,
      responses: rows,
      synthesis: synthesisRow(result.synthesis),
      usage: totalUsage(rows),
      elapsedMs,
      ...(result.messages ? { messages: result.messages.map(messageJsonOf) } : {}),
      ...(result.conversationContext && {
        conversationContext: shownContextsJson(result.conversationContext),
      }),
      humanMessages: people,
      ...peerReviewFields(result),
      ...(result.convergence && { convergence: result.convergence }),
      ...(result.resynthesizedFrom !== undefined && { resynthesizedFrom: result.resynthesizedFrom }),
      ...(result.continuedFrom !== undefined && { continuedFrom: result.continuedFrom }),
      ...(result.budget && { budget: result.budget }),
    });
    return exitCode;
  }
  const review = formatPeerReview(result);
  if (review) out.say(review);
  const ended = result.convergence;
  if (ended) {
    out.say(
      `\nDebate ended: ${ended.stopReason} after ${ended.debateRounds} round(s), agreement ${ended.agreement}` +
        `, ${ended.roundsSkipped} round(s) skipped, about ${ended.tokensSaved} tokens saved`,
    );
  }
  const synthesis = rows[rows.length - 1];
  if (synthesis) out.say(`\n── Synthesis ──\n${formatAnswer(synthesis, out.width)}`);
  out.say(formatUsage(rows, elapsedMs));
  if (result.budget) out.say(formatBudget(result.budget));
  return exitCode;
}
