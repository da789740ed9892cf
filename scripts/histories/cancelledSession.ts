import { MultiParticipantSession } from '../../client/api/session';
import { CANCELLED_TASK } from './mock';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/**
 * A broadcast session cancelled while its round's two calls are held by the mock: the round's calls
 * end cancelled and the session ends `cancelled`, its view closed (workflows/session/workflow.ts).
 */
export async function recordCancelledSession(recording: Recording): Promise<void> {
  const sessionId = `replay-session-cancelled${idSuffix(recording)}`;
  const participants = ['Analyst', 'Critic'].map((name) => ({ name, role: 'panelist' as const, model }));
  const session = await MultiParticipantSession.create(
    recording.client,
    { strategy: 'broadcast', participants },
    { sessionId, taskQueue: TASK_QUEUE },
  );
  const held = recording.held();
  const round = session.sendMessage('user', CANCELLED_TASK).catch(() => undefined);
  for (let i = 0; i < 100 && recording.held() < held + participants.length; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const handle = recording.client.workflow.getHandle(sessionId);
  await handle.cancel();
  await handle.result().catch(() => undefined);
  await round;
  await saveHistory(recording, sessionId, 'session-cancelled');
}
