import {
  COUNCIL_LIMITS,
  type CouncilContext,
  type CouncilWorkflowResult,
  type Expert,
  type ExpertMessageData,
  type ExpertOutput,
  type SynthesisOutput,
} from '../../common/council';
import {
  MAX_EVENTS_PER_PAGE,
  type CouncilProgress,
  type CouncilStatus,
  type ProgressEvent,
  type ProgressRequest,
  type TurnPhase,
} from '../../common/councilApi';
import type { ConvergenceResult } from '../../common/convergence';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../../common/llm';
import { jsonBytes } from '../../common/size';
import { recipientsOf, type MessageStamp } from './messages';
import { ShownLog } from './shownLog';

/** The workflow's clock and id source, injected so the ledger holds no Temporal API. */
export interface LedgerClock {
  stamp(): MessageStamp;
  /** Workflow time as an ISO string. */
  now(): string;
}

/** Distributes `Omit` over the event union, so each kind keeps its own fields. */
type NewEvent = ProgressEvent extends infer E
  ? E extends ProgressEvent
    ? Omit<E, 'seq' | 'at'>
    : never
  : never;

/**
 * The council's durable state: the transcript, each expert's outcome and the progress log clients
 * poll. Rebuilt by replay, so a client that attaches after a crash reads the same log.
 */
export class CouncilLedger {
  readonly messages: ExpertMessageData[] = [];
  readonly events: ProgressEvent[] = [];
  readonly outputs: Record<string, ExpertOutput> = {};
  readonly failed = new Set<string>();
  /** What each expert was shown at each turn: the result's `contextRefs`. */
  readonly shown = new ShownLog();
  /**
   * Each expert's inbox: ids of the messages routed to it since its last turn, oldest first (at most
   * the history depth). Its next turn takes them all, once: urgent ones it reads first.
   */
  readonly inboxes: Record<string, string[]> = {};
  status: CouncilStatus = 'running';
  round = 0;
  /** The latest round closed by a quorum or deadline: a call of it that ends now is late. */
  closedRound = 0;
  humanMessages = 0;
  droppedMessages = 0;
  /** How a debate with `convergence` ended; only such debates set it. */
  convergence?: ConvergenceResult;
  private transcriptBytes = 0;

  constructor(
    readonly context: CouncilContext,
    private readonly clock: LedgerClock,
    private readonly onStatusChange: (status: CouncilStatus) => void,
    /** Hears every event as it is logged (the Web UI's current details). */
    private readonly onEvent: (event: ProgressEvent) => void = () => undefined,
  ) {
    // Slots in activeExperts order, so the result lists experts as the caller did.
    for (const expert of context.activeExperts) this.output(expert);
    for (const expert of context.activeExperts) this.inboxes[expert.id] = [];
  }

  /** Empties an expert's inbox: the messages waiting for it that the transcript still holds. */
  deliver(expertId: string): ExpertMessageData[] {
    const waiting = new Set(this.inboxes[expertId]?.splice(0));
    return this.messages.filter((message) => waiting.has(message.id));
  }

  stamp(): MessageStamp {
    return this.clock.stamp();
  }

  /** A new status; `until` is when a wait for a person ends (ISO 8601, workflow time). */
  setStatus(status: CouncilStatus, detail: string, until?: string): void {
    const changed = status !== this.status;
    this.status = status;
    this.record({ kind: 'status', status, detail, ...(until !== undefined && { until }) });
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
  ): void {
    this.failed.add(expert.id);
    const output = this.output(expert);
    const late = this.lateMark(round);
    Object.assign(output, { status: 'failed', round, error, ...late });
    this.record({ ...this.who(expert, phase), round, state: 'failed', error, ...late });
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
  ): void {
    const late = this.lateMark(round);
    const stored = this.addMessage({ ...message, ...late });
    const output = this.output(expert);
    output.tokenUsage = addUsage(output.tokenUsage, usage);
    output.round = round;
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
    });
  }

  /**
   * A peer review call ended: its tokens count for its expert, and no message is stored (the
   * ranking goes into the result, where no other expert reads it).
   */
  reviewEnded(expert: Expert, usage: TokenUsage, error?: { type: string; message: string }): void {
    const output = this.output(expert);
    output.tokenUsage = addUsage(output.tokenUsage, usage);
    const state = error ? ('failed' as const) : ('done' as const);
    this.record({ ...this.who(expert, 'review'), state, tokenUsage: usage, ...(error && { error }) });
  }

  /** Stores a message within the transcript budget, puts it in its recipients' inboxes, logs where it went. */
  addMessage(message: ExpertMessageData): ExpertMessageData {
    const stored = this.store(message);
    const ids = this.context.activeExperts.map((expert) => expert.id);
    const deliveredTo = recipientsOf(stored, ids);
    for (const id of deliveredTo) {
      const inbox = this.inboxes[id];
      inbox?.push(stored.id);
      if (inbox && inbox.length > this.context.maxHistoryMessages) inbox.shift();
    }
    if (this.context.enableMessaging) this.record({ kind: 'message', messageId: stored.id, deliveredTo });
    return stored;
  }

  /**
   * A message of the earlier conversation this council goes on from: stored, and logged as carried
   * and delivered to no one (its delivery happened in the council that wrote it), with the round and
   * phase it had there, so readers of the log place it where it was written.
   */
  carryOver(message: ExpertMessageData, place: { round?: number; phase?: TurnPhase }): void {
    const stored = this.store(message);
    const { round, phase } = place;
    this.record({
      kind: 'message',
      messageId: stored.id,
      deliveredTo: [],
      carried: true,
      ...(round !== undefined && { round }),
      ...(phase !== undefined && { phase }),
    });
  }

  private store(message: ExpertMessageData): ExpertMessageData {
    const max = COUNCIL_LIMITS.maxStoredMessageChars;
    const stored =
      message.content.length > max
        ? { ...message, content: `${message.content.slice(0, max)} [cut at ${max} characters]` }
        : message;
    this.messages.push(stored);
    this.transcriptBytes += jsonBytes(stored);
    while (this.transcriptBytes > COUNCIL_LIMITS.transcriptByteBudget && this.messages.length > 1) {
      const dropped = this.messages.shift();
      this.transcriptBytes -= dropped ? jsonBytes(dropped) : 0;
      this.droppedMessages += 1;
    }
    return stored;
  }

  /** Stores a person's message and logs it, so every follower can print it where it came. */
  humanMessage(message: ExpertMessageData): ExpertMessageData {
    this.humanMessages += 1;
    const stored = this.addMessage(message);
    this.record({ kind: 'human', messageId: stored.id, round: this.round });
    return stored;
  }

  /** One page of the progress log with the messages its events name. */
  progress(request: ProgressRequest | undefined): CouncilProgress {
    const from = Math.max(0, Math.floor(request?.fromEvent ?? 0));
    const size = Math.min(Math.max(1, request?.maxEvents ?? MAX_EVENTS_PER_PAGE), MAX_EVENTS_PER_PAGE);
    const events = this.events.slice(from, from + size);
    const named = new Set(events.map((event) => ('messageId' in event ? event.messageId : undefined)));
    return {
      status: this.status,
      round: this.round,
      done: this.status === 'completed',
      events,
      nextEvent: from + events.length,
      totalEvents: this.events.length,
      messages: this.messages.filter((message) => named.has(message.id)),
      droppedMessages: this.droppedMessages,
      inboxes: Object.fromEntries(Object.entries(this.inboxes).map(([id, inbox]) => [id, [...inbox]])),
    };
  }

  /** The workflow's result; the messaging fields only when messaging is on. */
  result(synthesis: SynthesisOutput): CouncilWorkflowResult {
    const { context } = this;
    const outputs = Object.values(this.outputs);
    const byExpert = Object.fromEntries(outputs.map((output) => [output.expertId, output.tokenUsage]));
    const expertsTotal = outputs.reduce((sum, output) => addUsage(sum, output.tokenUsage), ZERO_USAGE);
    const result: CouncilWorkflowResult = {
      task: context.task,
      mode: context.mode,
      outputs: this.outputs,
      synthesis,
      tokenUsage: {
        total: addUsage(expertsTotal, synthesis.tokenUsage),
        byExpert,
        synthesis: synthesis.tokenUsage,
      },
      failedExperts: context.activeExperts.filter((e) => this.failed.has(e.id)).map((e) => e.id),
      rounds: this.round,
      ...(this.convergence && { convergence: this.convergence }),
    };
    if (!context.enableMessaging) return result;
    const contextRefs = this.shown.refs(context.activeExperts);
    return { ...result, messages: [...this.messages], contextRefs };
  }

  private output(expert: Expert): ExpertOutput {
    const output = this.outputs[expert.id] ?? {
      expertId: expert.id,
      expertName: expert.name,
      status: 'done',
      content: '',
      round: 0,
      tokenUsage: { ...ZERO_USAGE },
    };
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

  private record(event: NewEvent): void {
    const logged: ProgressEvent = { ...event, seq: this.events.length, at: this.clock.now() };
    this.events.push(logged);
    this.onEvent(logged);
  }
}
