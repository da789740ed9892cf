import type { ChatMessage } from '../../common/llm';
import type { OrchestrationStrategy, ParticipantSpec } from '../../common/participants';
import type { StrategySettings } from '../../common/selector';
import type { ParticipantResponse, ResponseKind, TranscriptEntry } from '../../common/session';
import type { CallOutcome, ModelCaller } from '../shared/callModel';

/**
 * What a strategy may use besides calling participants: the round it plays, the conversation so far,
 * its own memory across rounds and runs, a model of its own, notes, and a person's "stop".
 */
export interface RoundSeam {
  /** The round being played and the message it answers. */
  readonly round: number;
  readonly message: string;
  /**
   * The session's transcript as carried (the oldest entries may have left, see LIMITS.maxTranscriptChars),
   * this round's message and answers included as they are made. Read-only.
   */
  readonly transcript: readonly TranscriptEntry[];
  /** The session config's strategy settings (e.g. `selector`). */
  readonly settings: StrategySettings;
  /**
   * This strategy's memory: plain JSON it wrote in an earlier round (of this run or an earlier one:
   * it is carried through continue-as-new), undefined at first. `write` replaces it; past
   * LIMITS.maxStrategyStateBytes it throws a StrategyStateTooLarge failure (the round's update fails).
   */
  readonly memory: { read(): unknown; write(value: unknown): void };
  /**
   * Calls a model that is not a participant (e.g. the selector) as a durable activity with the id
   * `r<round>.<phase>.<label>`. Never throws: a failure comes back as an outcome with status `failed`.
   * Its tokens count in the session's usage.
   */
  callModel(
    caller: ModelCaller,
    messages: ChatMessage[],
    call: { phase: string; label: string; maxAnswerBytes: number },
  ): Promise<CallOutcome>;
  /** Adds a line from the strategy to the transcript (who was picked and why, why the round ended). */
  note(content: string): void;
  /** True once a person asked to stop this round (the `stopRound` update). */
  stopRequested(): boolean;
  /**
   * Temporal's `patched(id)` in a session, true in unit tests: a strategy whose calls change asks it
   * so rounds recorded before the change replay as they ran, and stays runnable without a worker.
   */
  patched(id: string): boolean;
  /**
   * The responses a round of calls made at once keeps: every one, or under the session's `quorum` or
   * `deadlineMs` those made before the round closed (the others end late, into the transcript only).
   * Absent (unit tests): every one.
   */
  gather?(calls: ReadonlyArray<Promise<ParticipantResponse>>): Promise<ParticipantResponse[]>;
}

/** A call that is not the participant's plain answer to the round's message (see `invoke`). */
export interface CallPurpose {
  /** The call's phase in its activity id and summary (`r2.synthesis.Moderator`); the role's phase when absent. */
  phase?: string;
  /** The participant's message in this call, made from the round's message (the round's message when absent). */
  ask?: (message: string) => string;
  /** What the response is marked as (`ParticipantResponse.kind`). */
  kind?: ResponseKind;
}

/** What a strategy may do during one round: call a participant, having shown it some answers. */
export interface RoundContext extends RoundSeam {
  /**
   * The participants that answer in this round's main phase, in order of joining (under a strategy
   * that `ranksEvaluators`, the evaluators follow the others, each in order of joining).
   */
  readonly participants: readonly ParticipantSpec[];
  /**
   * Calls one participant, shown `shown`, for `purpose` (a plain answer when absent). Never throws: a
   * failure comes back as a response with status `failed`.
   */
  invoke(
    participant: ParticipantSpec,
    shown: readonly ParticipantResponse[],
    purpose?: CallPurpose,
  ): Promise<ParticipantResponse>;
}

/** One orchestration strategy: a deterministic function over {@link RoundContext}. */
export interface Strategy {
  readonly name: OrchestrationStrategy;
  /** What the participants or settings lack for this strategy to run (and how to fix it), or undefined. */
  check(participants: readonly ParticipantSpec[], settings: StrategySettings): string | undefined;
  /**
   * The most participant calls its main phase makes in one round, for sharing out the round's byte
   * budgets; the number of participants (each called once) when absent.
   */
  maxCalls?(participants: number, settings: StrategySettings): number;
  /**
   * True when the strategy orders evaluators among the others (`custom`: by priority): they are then
   * in `participants`, after the others, instead of answering after the main phase.
   */
  readonly ranksEvaluators?: boolean;
  /** Runs the main phase of one round and returns the responses in the order they were made. */
  run(context: RoundContext): Promise<ParticipantResponse[]>;
}
