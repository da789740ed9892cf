import { setTimeout as sleep } from 'node:timers/promises';
import { ZERO_USAGE } from '../../common/llm';
import type { ParticipantResponse, TranscriptEntry } from '../../common/session';
import type { MultiParticipantSession } from './session';

/** How often {@link awaitRoundEnd} asks the session whether the round is still being played. */
const POLL_MS = 500;

/**
 * Resolves once `round` is no longer the session's active round (or at once if it is not), with
 * the answers of that round as its transcript recorded them: for a process that did not send the
 * round's message (an `attach` after a crash) and so holds no update to await. A response read back
 * from the transcript carries what the transcript keeps: no `shown`, `truncated` false.
 */
export async function awaitRoundEnd(
  session: MultiParticipantSession,
  round: number,
): Promise<ParticipantResponse[]> {
  while ((await session.view()).activeRound?.round === round) await sleep(POLL_MS);
  const transcript = await session.transcript(0);
  return transcript
    .filter((entry) => entry.round === round && entry.role !== 'user' && entry.role !== 'system')
    .map(responseOf);
}

function responseOf(entry: TranscriptEntry): ParticipantResponse {
  return {
    participantName: entry.from,
    participantRole: entry.role as ParticipantResponse['participantRole'],
    content: entry.content,
    tokenUsage: entry.tokenUsage ?? { ...ZERO_USAGE },
    status: entry.status,
    truncated: false,
    round: entry.round,
    shown: [],
    ...(entry.downgradedTo && { downgradedTo: entry.downgradedTo }),
    ...(entry.servedBy && { servedBy: entry.servedBy }),
    ...(entry.kind && { kind: entry.kind }),
  };
}
