import type { ParticipantSpec } from '../../common/participants';
import type { ParticipantResponse } from '../../common/session';
import type { RoundContext } from './types';

/** Everyone answers at once, each shown the same earlier answers. */
export function invokeInParallel(
  context: RoundContext,
  participants: readonly ParticipantSpec[],
  shown: readonly ParticipantResponse[],
): Promise<ParticipantResponse[]> {
  return Promise.all(participants.map((participant) => context.invoke(participant, shown)));
}

/** One after another; each is shown the earlier answers plus every answer made before it in this phase. */
export async function invokeInSequence(
  context: RoundContext,
  participants: readonly ParticipantSpec[],
  shown: readonly ParticipantResponse[] = [],
): Promise<ParticipantResponse[]> {
  const responses: ParticipantResponse[] = [];
  for (const participant of participants) {
    const visible = [...shown, ...responses.filter((response) => response.status === 'ok')];
    responses.push(await context.invoke(participant, visible));
  }
  return responses;
}

/** Only the answers that exist: failed and skipped participants show nothing to the next ones. */
export function answered(responses: readonly ParticipantResponse[]): ParticipantResponse[] {
  return responses.filter((response) => response.status === 'ok');
}
