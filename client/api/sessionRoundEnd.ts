import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ZERO_USAGE } from '../../common/llm';
import type { ParticipantResponse, SessionView, TranscriptEntry } from '../../common/session';
import { CouncilUserError, RunNotFoundError } from '../../common/userError';
import type { MultiParticipantSession } from './session';
import { ROUND_WATCH_MAX_MS } from './followRun';

/** Options of {@link awaitRoundEnd}. */
export interface AwaitRoundEndOptions {
  /** How long to wait for the round's end; {@link ROUND_WATCH_MAX_MS} (eight days) unless set. */
  maxWaitMs?: number;
  /** Time between polls; 500 ms unless set. */
  pollMs?: number;
}

/**
 * Resolves once `round` has been played (at once if it was played before), with the answers of
 * that round as its transcript recorded them: for a process that did not send the round's message
 * (an `attach` after a crash) and so holds no update to await.
 * A response read back from the transcript carries what the transcript keeps: no `shown`. Rejects
 * with a CouncilUserError when the session stops running while the round is played (terminated,
 * failed, timed out), does not exist, or `maxWaitMs` passes first, and for a round number no round
 * has or a round neither begun nor waiting to begin.
 */
export async function awaitRoundEnd(
  session: MultiParticipantSession,
  round: number,
  options: AwaitRoundEndOptions = {},
): Promise<ParticipantResponse[]> {
  if (!Number.isInteger(round) || round < 1) {
    throw new CouncilUserError(
      `round ${round} is no round: rounds are numbered from 1`,
      "pass a round's number: a round result's `round`, or the session view's for the latest",
    );
  }
  const maxWaitMs = options.maxWaitMs ?? ROUND_WATCH_MAX_MS;
  const deadlineMs = Date.now() + maxWaitMs;
  const handle = session.client.workflow.getHandle(session.sessionId);
  const id = session.sessionId;
  let view = await session.view();
  while (unplayed(view, round)) {
    // A run that stopped mid-round still answers the query (a worker replays it) with the round active.
    const status = await handle.describe().then(
      (description) => description.status.name,
      (error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        throw new RunNotFoundError('session', id, 'see `council list`', { cause: error });
      },
    );
    if (status !== 'RUNNING') {
      throw new CouncilUserError(
        `session "${id}" ended (${status.toLowerCase().replace(/_/g, ' ')}) during round ${round}: the round will not end`,
        `see what it recorded with \`council session show ${id}\``,
      );
    }
    if (Date.now() >= deadlineMs) {
      throw new CouncilUserError(
        `session "${id}": round ${round} is still being played after ${Math.round(maxWaitMs / 1000)} s`,
        `wait again with \`council session attach ${id}\``,
      );
    }
    await sleep(Math.min(options.pollMs ?? POLL_MS, Math.max(0, deadlineMs - Date.now())));
    view = await session.view();
  }
  // An empty list is a played round no one answered: a round not asked for must not read as one.
  if (round > view.round) {
    throw new CouncilUserError(
      `session "${id}" has begun ${view.round} round${view.round === 1 ? '' : 's'} and none is waiting to begin: round ${round} was not asked for`,
      `send its message first (\`council send ${id} "…"\`), or wait for a round it has begun`,
    );
  }
  const transcript = await session.transcript(0);
  return transcript
    .filter((entry) => entry.round === round && entry.role !== 'user' && entry.role !== 'system')
    .map(responseOf);
}

/** True while `round` is being played, or is asked for and waits its turn or the session's start check. */
function unplayed(view: SessionView, round: number): boolean {
  if (view.activeRound?.round === round) return true;
  return view.round < round && (view.roundsWaiting ?? 0) > 0;
}

/** How often {@link awaitRoundEnd} asks the session whether the round is still being played. */
const POLL_MS = 500;

function responseOf(entry: TranscriptEntry): ParticipantResponse {
  return {
    participantName: entry.from,
    participantRole: entry.role as ParticipantResponse['participantRole'],
    content: entry.content,
    tokenUsage: entry.tokenUsage ?? { ...ZERO_USAGE },
    status: entry.status,
    truncated: entry.truncated === true,
    round: entry.round,
    shown: [],
    ...(entry.error && { error: entry.error }),
    ...(entry.costUsd !== undefined && { costUsd: entry.costUsd }),
    ...(entry.downgradedTo && { downgradedTo: entry.downgradedTo }),
    ...(entry.servedBy && { servedBy: entry.servedBy }),
    ...(entry.kind && { kind: entry.kind }),
  };
}
