import { MultiParticipantSession } from '../../client/api/session';
import { QUORUM_TASK } from './mock';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/**
 * A broadcast with a quorum of two and a deadline: in its first round Builder straggles (the mock
 * holds it on QUORUM_TASK), the round closes at the quorum, Judge evaluates the two answers and
 * Builder's answer arrives late; the second round waits for it (Builder, whose history holds the
 * task, straggles again).
 */
export async function recordSessionQuorum(recording: Recording) {
  const sessionId = `replay-session-quorum${idSuffix(recording)}`;
  const participants = [
    { name: 'Builder', role: 'panelist' as const, model },
    { name: 'Critic', role: 'panelist' as const, model },
    { name: 'Skeptic', role: 'panelist' as const, model },
    { name: 'Judge', role: 'evaluator' as const, model },
  ];
  const session = await MultiParticipantSession.create(
    recording.client,
    { strategy: 'broadcast', quorum: 2, deadlineMs: 60_000, participants },
    { sessionId, taskQueue: TASK_QUEUE },
  );
  await session.sendMessage('user', QUORUM_TASK);
  await session.sendMessage('user', 'Second question');
  await session.close();
  await saveHistory(recording, sessionId, 'session-quorum');
}
