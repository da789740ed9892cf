import { MultiParticipantSession } from '../../client/api/session';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/**
 * A roundRobin session where Quick's calls are local activities (`callAs: 'local'`, recorded as
 * markers) and Steady's regular activities, over two rounds; Late joins local by update between them.
 */
export async function recordLocalCall(recording: Recording) {
  const sessionId = `replay-session-local-call${idSuffix(recording)}`;
  const participants = [
    { name: 'Quick', role: 'panelist' as const, model, callAs: 'local' as const },
    { name: 'Steady', role: 'panelist' as const, model },
  ];
  const session = await MultiParticipantSession.create(
    recording.client,
    { strategy: 'roundRobin', participants },
    { sessionId, taskQueue: TASK_QUEUE },
  );
  await session.sendMessage('user', 'First question');
  await session.addParticipant('Late', model, 'panelist', { callAs: 'local' });
  await session.sendMessage('user', 'Second question');
  await session.close();
  await saveHistory(recording, sessionId, 'session-local-call');
}
