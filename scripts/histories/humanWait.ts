import { sendHumanMessage, startCouncil } from '../../client/api/council';
import { readCouncilProgress } from '../../client/api/councilRead';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
/** Short enough that a wait nobody answers (after the last round, before patch `last-round-wait`) ends soon. */
const WAIT_MS = 3_000;

/**
 * A one-round debate (positions, then critiques) that waits for a person between its rounds: a
 * person answers the first wait. Recorded before patch `last-round-wait`, the council also waits
 * (in vain, until WAIT_MS) after its last round; recorded after it, it goes straight to the synthesis.
 */
export async function recordHumanWaitCouncil(recording: Recording) {
  const councilId = `replay-council-human-wait${idSuffix(recording)}`;
  const experts = ['Analyst', 'Critic'].map((name) => ({ id: name.toLowerCase(), name, model }));
  await startCouncil(
    recording.client,
    {
      task: 'Should we adopt a four-day work week?',
      mode: 'adversarial',
      debateRounds: 1,
      activeExperts: experts,
      synthesisConfig: { model },
      awaitHumanBetweenRounds: { timeoutMs: WAIT_MS },
    },
    { councilId, taskQueue: TASK_QUEUE },
  );
  // The first wait comes after round 1 (every expert's position); each poll is bounded, and so are they.
  for (let i = 0; i < 100; i += 1) {
    if ((await readCouncilProgress(recording.client, councilId)).status === 'awaiting-human') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await sendHumanMessage(recording.client, councilId, { content: 'Mind the night shifts.' });
  await recording.client.workflow.getHandle(councilId).result();
  await saveHistory(recording, councilId, 'council-human-wait');
}
