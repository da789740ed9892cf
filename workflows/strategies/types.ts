import type { OrchestrationStrategy, ParticipantSpec } from '../../common/participants';
import type { ParticipantResponse } from '../../common/session';

/** What a strategy may do during one round: call a participant, having shown it some answers. */
export interface RoundContext {
  /** The participants that answer in this round's main phase, in order of joining. */
  readonly participants: readonly ParticipantSpec[];
  /** Calls one participant. Never throws: a failure comes back as a response with status `failed`. */
  invoke(participant: ParticipantSpec, shown: readonly ParticipantResponse[]): Promise<ParticipantResponse>;
}

/** One orchestration strategy: a deterministic function over {@link RoundContext}. */
export interface Strategy {
  readonly name: OrchestrationStrategy;
  /** What the participants lack for this strategy to run (and how to fix it), or undefined. */
  check(participants: readonly ParticipantSpec[]): string | undefined;
  /** Runs the main phase of one round and returns the responses in the order they were made. */
  run(context: RoundContext): Promise<ParticipantResponse[]>;
}
