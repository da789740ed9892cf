import { randomUUID } from 'node:crypto';
import { WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { MultiParticipantSession } from '../client/api/session';
import type { ParticipantResponse } from '../common/session';
import { sendMessageUpdate } from '../common/sessionApi';
import type { sessionWorkflow } from '../workflows';

/** How a measurement sends a round: through the library as it is, or with the retry experiment. */
export type RoundSender = (
  session: MultiParticipantSession,
  content: string,
) => Promise<ParticipantResponse[]>;

/** The library as users get it: MultiParticipantSession.sendMessage. */
export const librarySend: RoundSender = (session, content) => session.sendMessage('user', content);

const MAX_ATTEMPTS = 10;

/**
 * Experiment (`--update-retry`): the same update, with an update id chosen once and the call retried
 * when the server answers DEADLINE_EXCEEDED before it admitted the update. The server deduplicates
 * by update id, so a retry joins the round already admitted instead of starting a second one.
 */
export function retryingSend(client: Client): RoundSender {
  return async (session, content) => {
    const handle = client.workflow.getHandle<typeof sessionWorkflow>(session.sessionId);
    const updateId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await handle.executeUpdate(sendMessageUpdate, {
          args: [{ role: 'user', content }],
          updateId,
        });
        return result.responses;
      } catch (error) {
        if (!(error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) || attempt >= MAX_ATTEMPTS)
          throw error;
      }
    }
  };
}
