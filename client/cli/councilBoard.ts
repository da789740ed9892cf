import type { WorkflowHandle } from '@temporalio/client';
import { addressLabel, audienceLine, replyLine, type RepliedMessage } from '../../common/councilRouting';
import { ZERO_USAGE } from '../../common/llm';
import type { ExecutionResult, ExpertMessage, ExpertUpdate } from '../api/councilTypes';
import { councilRetries } from '../api/pendingCalls';
import type { TokenEvent } from '../api/tokens';
import type { ParticipantLine, ProgressRenderer } from './progress';

/** The synthesizer's line when the log does not name it (a worker older than 2026-12-06 wrote it). */
const UNNAMED_SYNTHESIZER = 'Synthesis';
/** The line of a council's waits for a person. */
const PEOPLE = 'People';

/** The live state of every expert and the synthesizer, fed by the council's progress log. */
export class CouncilBoard {
  private readonly lines = new Map<string, ParticipantLine>();
  private readonly order: string[] = [];

  /** The messages answers became, by id: a later answer's heading names the one it replies to. */
  private readonly said = new Map<string, RepliedMessage>();
  /** A person wrote during the wait now shown: the wait ends with that. */
  private wrote = false;
  /** Expert names by id: the calls' ids name experts by id, the lines by name. */
  private readonly names = new Map<string, string>();
  /** The synthesizer's line: its name, once the council says it as it starts the synthesis. */
  private synthesizer = UNNAMED_SYNTHESIZER;

  constructor(
    private readonly renderer: ProgressRenderer,
    private readonly councilId: string,
  ) {}

  /**
   * The messages a council carried over from an earlier one (`run --from`): an answer may reply to
   * one, whose sender need not be in this council.
   */
  carried(messages: ReadonlyArray<{ id: string; senderName: string; round?: number; type: string }>): void {
    for (const { id, senderName, round, type } of messages)
      this.said.set(id, { senderName, round: round ?? 0, type });
  }

  /** Streamed text of an expert or the synthesizer still answering. */
  text(event: TokenEvent): void {
    const name = /^r\d+\.synthesis\./.test(event.callId)
      ? this.synthesizer
      : this.names.get(event.participant);
    const line = name === undefined ? undefined : this.lines.get(name);
    if (name !== undefined && (line?.state.kind === 'thinking' || line?.state.kind === 'retrying')) {
      this.renderer.text(name, event);
    }
  }

  expert(update: ExpertUpdate): void {
    this.names.set(update.expertId, update.expertName);
    const role =
      update.phase === 'answer' ? `round ${update.round}` : `${update.phase}, round ${update.round}`;
    const atMs = update.at.getTime();
    if (update.state === 'thinking') {
      this.set(update.expertName, role, { kind: 'thinking', sinceMs: atMs }, atMs);
    } else if (update.state === 'failed') {
      const reason = update.error ? `${update.error.type}: ${update.error.message}` : 'failed';
      this.set(update.expertName, role, { kind: 'failed', reason }, atMs);
    } else if (update.state === 'skipped') {
      this.set(update.expertName, role, { kind: 'skipped', byPerson: true }, atMs);
    } else {
      this.set(update.expertName, role, { kind: 'done', tokens: update.tokenUsage?.totalTokens ?? 0 }, atMs);
      // A ranking is no answer: it is printed with the result (peer review).
      if (update.phase === 'review') return;
      const usage = update.tokenUsage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
      this.renderer.answer({
        name: update.expertName,
        role: update.message ? this.heading(role, update.message, update.round) : role,
        status: 'ok',
        content: update.content ?? '',
        tokenUsage: usage,
      });
    }
  }

  /**
   * An answer's heading as `show` heads it: its type (a response says none), to whom when not to
   * everyone, urgency, and the message it answers (by its sender and round, when this board printed it).
   */
  private heading(role: string, message: ExpertMessage, round: number): string {
    this.said.set(message.id, { senderName: message.senderName, round, type: message.type });
    const address = addressLabel(message);
    const parts = [
      role,
      // A critique turn's role already says "critique, round 2".
      ...(message.type === 'response' || role.startsWith(`${message.type},`) ? [] : [message.type]),
      ...(address ? [`to ${address} only`] : []),
      ...(message.priority === 'urgent' ? ['urgent'] : []),
    ];
    return `${parts.join(', ')}${replyLine(message.replyTo, (id) => this.said.get(id))}`;
  }

  status(status: string, { until, at, synthesizer }: { until?: Date; at: Date; synthesizer?: string }): void {
    const atMs = at.getTime();
    const waiting = this.lines.get(PEOPLE);
    if (status === 'awaiting-human' && until) {
      this.wrote = false;
      const send = `council send ${this.councilId} "…"`;
      this.set(PEOPLE, 'between rounds', { kind: 'person', untilMs: until.getTime(), send }, atMs);
    } else if (waiting?.state.kind === 'person' && !waiting.state.outcome) {
      const outcome =
        status === 'cancelled'
          ? 'the council was cancelled'
          : this.wrote
            ? 'a person wrote: going on'
            : 'no message in time: going on';
      this.set(PEOPLE, waiting.role, { ...waiting.state, outcome }, atMs);
    }
    if (status === 'synthesizing') {
      this.synthesizer = synthesizer ?? this.synthesizer;
      this.set(this.synthesizer, 'synthesizer', { kind: 'thinking', sinceMs: atMs }, atMs);
    }
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

  /**
   * The synthesizer's final line; its text is printed with the summary. `endedMs`: when the council
   * ended, for one that had before it was followed (else the line is stamped now, as it arrives).
   */
  synthesized(result: ExecutionResult, endedMs?: number): void {
    const { synthesis } = result;
    const state: ParticipantLine['state'] =
      synthesis.status === 'done'
        ? { kind: 'done', tokens: synthesis.tokenUsage.totalTokens }
        : synthesis.status === 'failed'
          ? { kind: 'failed', reason: `${synthesis.error?.type}: ${synthesis.error?.message}` }
          : { kind: 'skipped', reason: 'no expert answered' };
    this.set(this.synthesizer, 'synthesizer', state, endedMs);
  }

  /** Shows the calls the server is retrying (library: {@link councilRetries}) on their experts' lines. */
  async pollRetries(handle: WorkflowHandle): Promise<void> {
    // Call ids name experts by id; the lines, by name.
    const thinking = [...this.names].filter(([, name]) =>
      ['thinking', 'retrying'].includes(this.lines.get(name)?.state.kind ?? ''),
    );
    const ids = thinking.map(([id]) => id);
    for (const retry of await councilRetries(handle, ids)) {
      const name = retry.participant === undefined ? undefined : this.names.get(retry.participant);
      const line = name === undefined ? undefined : this.lines.get(name);
      if (name === undefined || !line) continue;
      const { attempt, maxAttempts, reason } = retry;
      this.set(name, line.role, { kind: 'retrying', attempt, ...(maxAttempts && { maxAttempts }), reason });
    }
  }

  private set(name: string, role: string, state: ParticipantLine['state'], atMs?: number): void {
    if (!this.lines.has(name)) this.order.push(name);
    this.lines.set(name, { name, role, state, ...(atMs !== undefined && { atMs }) });
    this.renderer.update(this.order.flatMap((key) => this.lines.get(key) ?? []));
  }
}
