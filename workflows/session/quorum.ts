import { patched } from '../shared/patches';
import type { RoundResult, SessionConfig } from '../../common/session';
import type { ParticipantResponse } from '../../common/session';
import { closeAtQuorum, type QuorumRule } from '../shared/quorum';

/**
 * Patch id of quorum rounds and deadlines in sessions. Only a session configured with `quorum` or
 * `deadlineMs` calls `patched()` (the schema refused those keys before), so every other session
 * records no marker and replays as before.
 */
export const SESSION_QUORUM_PATCH = 'session-quorum-rounds';

/** How a round ended when a quorum or deadline closed it early. */
export type ClosedEarly = NonNullable<RoundResult['closedEarly']>;

/** What {@link RoundCloser} tells its round: who is still running, and a line for the transcript. */
export interface CloserHooks {
  /** Names of the participants whose calls are still running. */
  running(): string[];
  note(content: string): void;
}

/**
 * Closes one session round's calls made at once (broadcast's) at the session's quorum or deadline,
 * like a council's answer round (workflows/shared/quorum). The calls still running then are not
 * cancelled: they end late, their answers go to the transcript marked `late` and not to the round's
 * responses, and the session waits for them ({@link RoundCloser.settled}) before its next round, so
 * no participant is ever called twice at once.
 */
export class RoundCloser {
  /** Set once the round closed early. */
  closedEarly?: ClosedEarly;
  /** Resolves once the late calls have ended (at once when none are late). */
  settled: Promise<void> = Promise.resolve();

  constructor(
    private readonly rule: QuorumRule | undefined,
    private readonly round: number,
    private readonly hooks: CloserHooks,
  ) {}

  /** The rule of a session's config, when it has one and the patch applies. */
  static ruleOf(config: Pick<SessionConfig, 'quorum' | 'deadlineMs'>): QuorumRule | undefined {
    const { quorum, deadlineMs } = config;
    if (quorum === undefined && deadlineMs === undefined) return undefined;
    return patched(SESSION_QUORUM_PATCH) ? { quorum, deadlineMs } : undefined;
  }

  /** True once the round has closed: an answer that ends now is late. */
  isClosed(): boolean {
    return this.closedEarly !== undefined;
  }

  /** The responses the round keeps: all, or those made before a quorum or deadline closed it. */
  async gather(calls: ReadonlyArray<Promise<ParticipantResponse>>): Promise<ParticipantResponse[]> {
    if (!this.rule) return Promise.all(calls);
    const made: Array<ParticipantResponse | undefined> = calls.map(() => undefined);
    const answered = calls.map((call, index) =>
      call.then((response) => {
        made[index] = response;
        return response.status === 'ok';
      }),
    );
    const early = await closeAtQuorum(answered, this.rule);
    if (!early) return Promise.all(calls);
    const late = this.hooks.running();
    this.closedEarly = { reason: early.reason, late };
    this.settled = early.settled;
    this.hooks.note(`round ${this.round} closed: ${early.why}; late: ${late.join(', ')}`);
    return made.filter((response): response is ParticipantResponse => response !== undefined);
  }
}
