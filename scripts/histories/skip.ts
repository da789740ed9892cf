import { temporal } from '@temporalio/proto';
import { skipExpert, startCouncil } from '../../client/api/council';
import { SKIP_TASK } from './mock';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/**
 * A parallel council whose Critic (a plain call) and Builder (hedged: its own call and its backup's)
 * are held by the mock until a person skips them (`skipExpert`, patch `council-expert-skip`); Analyst
 * answers and the synthesis notes the two skipped.
 */
export async function recordSkippedCouncil(recording: Recording) {
  const councilId = `replay-council-skip${idSuffix(recording)}`;
  const experts = ['Analyst', 'Critic', 'Builder'].map((name) => ({
    id: name.toLowerCase(),
    name,
    model,
    ...(name === 'Builder' && {
      hedge: { afterMs: 1_000, backup: { name: 'Builder backup', model: { ...model, model: 'gpt-4o' } } },
    }),
  }));
  await startCouncil(
    recording.client,
    { task: SKIP_TASK, mode: 'parallel', activeExperts: experts, synthesisConfig: { model } },
    { councilId, taskQueue: TASK_QUEUE },
  );
  const handle = recording.client.workflow.getHandle(councilId);
  // Critic's call, Builder's and Builder's backup's: all held at once (each at most 10 s).
  const held = ['r1.answer.critic', 'r1.answer.builder', 'r1.hedge.builder'];
  for (let i = 0; i < 100; i += 1) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const started = pending.filter((activity) => activity.state === STARTED).map((a) => a.activityId);
    if (held.every((id) => started.includes(id))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const skips = [await skipExpert(recording.client, councilId, 'critic')];
  skips.push(await skipExpert(recording.client, councilId, 'builder'));
  if (skips.map((skip) => skip.cancelledCalls).join() !== '1,2') {
    throw new Error(`the skips should cancel 1 and 2 calls: ${JSON.stringify(skips)}`);
  }
  await handle.result();
  await saveHistory(recording, councilId, 'council-skip');
}
