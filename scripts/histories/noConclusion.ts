import { executeCouncilExperts } from '../../client/api/council';
import { NO_CONCLUSION_TASK } from './mock';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/**
 * A parallel council of two experts whose calls the mock refuses (a 400, not retried): the synthesis
 * is skipped and the council ends `no-conclusion` (workflows/council/run.ts, `endCouncil`).
 */
export async function recordNoConclusionCouncil(recording: Recording): Promise<void> {
  const councilId = `replay-council-no-conclusion${idSuffix(recording)}`;
  const experts = ['Analyst', 'Critic'].map((name) => ({ id: name.toLowerCase(), name, model }));
  await executeCouncilExperts(
    recording.client,
    { task: NO_CONCLUSION_TASK, mode: 'parallel', activeExperts: experts, synthesisConfig: { model } },
    undefined,
    undefined,
    { councilId, taskQueue: TASK_QUEUE },
  );
  await saveHistory(recording, councilId, 'council-no-conclusion');
}
