import { createLlmActivities } from '../../activities';
import { startCouncil } from '../../client/api/council';
import { councilProgressQuery } from '../../common/councilApi';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { answerWithLatency, type Answerer } from '../durability/support/llm';
import { startHarness, uniqueTaskQueue, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import { council, expert } from './support';
import type { LLMock } from '@copilotkit/aimock';

const DEADLINE_MS = 3_000;
/** How long each call takes: A and B answer after the workflow worker has stopped; C is held. */
const ANSWER_MS = 1_000;

// A and B answered long before the deadline, but no worker ran workflow tasks until after it fell
// due (the worker that should have read their answers was killed mid-task): the next task brought
// both answers and the deadline's timer at once. The timer's promise chain is shorter than a turn's,
// so the round closed as if nobody had answered, both answers were marked late, and the synthesis
// was skipped ("no expert gave an answer") while the council waited for C (quorumKill.test.ts, CI).
describe('a deadline whose timer reaches the workflow in the same task as answers', () => {
  let mock: LLMock;
  let calls: TemporalTestHarness;
  let answerer: Answerer;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerer = answerWithLatency(mock, ANSWER_MS, (speaker) => speaker === 'Expert C');
  });
  afterAll(async () => {
    await calls?.close();
    await mock?.stop();
  });

  it('counts those answers as in time: the synthesis is made from them', async () => {
    const taskQueue = uniqueTaskQueue('deadline-same-task');
    const activities = createLlmActivities(mockClients(mock));
    calls = await startHarness('deadline-calls', activities, { taskQueue, serves: 'calls' });
    const firstWorkflows = await startHarness('deadline-wf', activities, { taskQueue, serves: 'workflows' });
    const experts = [expert('a'), expert('b'), expert('c')];
    const councilId = await startCouncil(
      firstWorkflows.client,
      council('parallel', experts, { deadlineMs: DEADLINE_MS }),
      { taskQueue },
    );
    const handle = calls.client.workflow.getHandle(councilId);
    await waitFor('the three experts to be asked', () => answerer.started.length === 3, 30_000);
    // No workflow task runs until the deadline has fallen due: A's and B's answers wait for it.
    await firstWorkflows.close();
    const startedAt = (await handle.describe()).startTime.getTime();
    await waitFor('the deadline to fall due', () => Date.now() > startedAt + DEADLINE_MS + 1_000, 10_000);
    const workflows = await startHarness('deadline-wf2', activities, { taskQueue, serves: 'workflows' });
    try {
      // Its request is journalled once answered: A, B and the synthesis (C is still held).
      await waitFor('the synthesis to be answered', () => mock.getRequests().length === 3, 20_000);
      const synthesisPrompt = JSON.stringify(mock.getRequests().at(-1)?.body ?? '');
      expect(synthesisPrompt).toContain('Expert A: answer');
      expect(synthesisPrompt).toContain('Expert B: answer');
      const result = (await handle.query(councilProgressQuery, { fromEvent: 0 })).events;
      expect(result.filter((event) => event.kind === 'expert' && event.late === true)).toEqual([]);
      await handle.cancel();
      await handle.result().catch(() => undefined);
    } finally {
      await workflows.close();
    }
  });
});
