import { FailureType, SKIPPED_BY_PERSON } from '../../common/failures';
import type {
  CallCharge,
  CouncilContext,
  CouncilWorkflowResult,
  Expert,
  ExpertMessageData,
  ExpertOutput,
  SynthesisOutput,
} from '../../common/council';
import type {
  CouncilProgress,
  CouncilStatus,
  ProgressEvent,
  ProgressRequest,
  TurnPhase,
} from '../../common/councilApi';
import type { ConvergenceResult } from '../../common/convergence';
import { addUsage, type TokenUsage } from '../../common/llm';
import { councilResult } from './councilResult';
import { addCharge, emptyOutput } from './expertOutput';
import { MessageLedger } from './messageLedger';
import type { LedgerClock } from './progressLog';
import { ShownLog } from './shownLog';

/**
 * The council's durable state: the transcript and progress log ({@link MessageLedger}), each
 * expert's outcome and the council's status. Rebuilt by replay, so a client that attaches after a
 * crash reads the same log.
 */
export class CouncilLedger extends MessageLedger {
  readonly outputs: Record<string, ExpertOutput> = {};
  readonly failed = new Set<string>();
  /** What each expert was shown at each turn: the result's `contextRefs`. */
  readonly shown = new ShownLog();
  status: CouncilStatus = 'running';
  /** The latest round closed by a quorum or deadline: a call of it that ends now is late. */
  closedRound = 0;
  /** How a debate with `convergence` ended; only such debates set it. */
  convergence?: ConvergenceResult;

  constructor(
    context: CouncilContext,
    clock: LedgerClock,
    private readonly onStatusChange: (status: CouncilStatus) => void,
    /** Hears every event as it is logged (the Web UI's current details). */
    onEvent: (event: ProgressEvent) => void = () => undefined,
  ) {
    super(context, clock, onEvent);
    // Slots in activeExperts order, so the result lists experts as the caller did.
    for (const expert of context.activeExperts) this.output(expert);
  }

  /** A new status; `until` is when a wait for a person ends (ISO 8601, workflow time). */
  setStatus(status: CouncilStatus, detail: string, until?: string): void {
    const changed = status !== this.status;
    this.status = status;
    // A follower names the synthesizer's line before its answer (and its name) arrives.
    const synthesizer = status === 'synthesizing' ? { synthesizer: this.context.synthesisConfig.name } : {};
    this.record({ kind: 'status', status, detail, ...(until !== undefined && { until }), ...synthesizer });
    if (changed) this.onStatusChange(status);
  }

  /** `delivered`: the ids of the messages the turn took from the expert's inbox. */
  expertStarted(expert: Expert, phase: TurnPhase, delivered: readonly string[] = []): void {
    const taken = delivered.length > 0 ? { delivered: [...delivered] } : {};
    this.record({ ...this.who(expert, phase), state: 'thinking', ...taken });
  }

  /** `round` is the round the call was made in: a quorum may have closed it (and a later one begun). */
  expertFailed(
    expert: Expert,
    phase: TurnPhase,
    error: { type: string; message: string },
    round = this.round,
    charge: CallCharge = {},
  ): void {
    this.failed.add(expert.id);
    const output = this.output(expert);
    const late = this.lateMark(round);
    Object.assign(output, { status: 'failed', round, error, ...late });
    const charged = addCharge(output, charge);
    this.record({ ...this.who(expert, phase), round, state: 'failed', error, ...late, ...charged });
  }

  /**
   * A person skipped the expert's turn (`skipExpert`): unlike a failure it takes its later turns, and
   * any answer it gave in an earlier round stays its position.
   */
  expertSkipped(expert: Expert, phase: TurnPhase, round = this.round, charge: CallCharge = {}): void {
    const output = this.output(expert);
    const error = {
      type: SKIPPED_BY_PERSON,
      message: `${expert.name} was skipped by a person in round ${round}`,
    };
    const late = this.lateMark(round);
    Object.assign(output, { status: 'skipped', round, error, ...late });
    const charged = addCharge(output, charge);
    this.record({ ...this.who(expert, phase), round, state: 'skipped', error, ...late, ...charged });
  }

  /**
   * The budget was spent before the expert's turn: one that never answered is skipped for it (its
   * output was an empty "done"). Only its output changes: no event, so no id drawn from the workflow's
   * random stream, and runs recorded before replay alike.
   */
  expertNotCalled(expert: Expert): void {
    const output = this.output(expert);
    if (output.status !== 'done' || output.round !== 0) return;
    const message = `${expert.name} was not called: the council's budget was exhausted before its turn`;
    Object.assign(output, { status: 'skipped', error: { type: FailureType.BudgetExhausted, message } });
  }

  /**
   * Records an expert's answer as a message; answers (not critiques) become its output. An answer of
   * a round already closed is marked late, in the message, the output and the event.
   */
  expertDone(
    expert: Expert,
    phase: TurnPhase,
    message: ExpertMessageData,
    usage: TokenUsage,
    round = this.round,
    servedBy?: string,
    charge: CallCharge = {},
  ): void {
    const late = this.lateMark(round);
    const stored = this.addMessage({ ...message, ...late });
    const output = this.output(expert);
    output.tokenUsage = addUsage(output.tokenUsage, usage);
    output.round = round;
    // An answer after a skipped turn: the expert is back, its skip no longer its outcome.
    if (output.status === 'skipped') {
      output.status = 'done';
      delete output.error;
    }
    if (servedBy) output.servedBy = servedBy;
    if (phase === 'answer') Object.assign(output, { content: stored.content, ...late });
    this.record({
      ...this.who(expert, phase),
      round,
      ...late,
      state: 'done',
      messageId: stored.id,
      messageType: stored.type,
      tokenUsage: usage,
      ...addCharge(output, charge),
    });
  }

  /**
   * A peer review call ended: its tokens count for its expert, and no message is stored (the
   * ranking goes into the result, where no other expert reads it).
   */
  reviewEnded(
    expert: Expert,
    usage: TokenUsage,
    error?: { type: string; message: string },
    charge: CallCharge = {},
  ): void {
    const output = this.output(expert);
    output.tokenUsage = addUsage(output.tokenUsage, usage);
    const state = error ? ('failed' as const) : ('done' as const);
    const charged = addCharge(output, charge);
    this.record({
      ...this.who(expert, 'review'),
      state,
      tokenUsage: usage,
      ...(error && { error }),
      ...charged,
    });
  }

  /** One page of the progress log with the messages its events name. */
  progress(request: ProgressRequest | undefined): CouncilProgress {
    return this.progressLog.page(this, request);
  }

  /** The workflow's result; the messaging fields only when messaging is on. */
  result(synthesis: SynthesisOutput): CouncilWorkflowResult {
    return councilResult(this, synthesis);
  }

  private output(expert: Expert): ExpertOutput {
    const output = this.outputs[expert.id] ?? emptyOutput(expert);
    this.outputs[expert.id] = output;
    return output;
  }

  /** `{ late: true }` for a call of a closed round; nothing otherwise, so other results stay as they were. */
  private lateMark(round: number): { late?: true } {
    return round <= this.closedRound ? { late: true } : {};
  }

  private who(expert: Expert, phase: TurnPhase) {
    return {
      kind: 'expert' as const,
      expertId: expert.id,
      expertName: expert.name,
      round: this.round,
      phase,
    };
  }
}
