import { readFileSync } from 'node:fs';
import type { LLMock } from '@copilotkit/aimock';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createLlmActivities } from '../../activities';
import { startCouncil } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { councilProgressQuery } from '../../common/councilApi';
import { sessionViewQuery } from '../../common/sessionApi';
import { answerAsParticipants, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, testEnvironment, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, model, scriptedCouncil } from './support';

/** Runs concurrently: enough that, with queries arriving all the time, some policy check overlaps one. */
const RUNS = 6;

/** What went wrong with one workflow: failed queries, failed workflow tasks, its replay. */
const problems: string[] = [];

/** Queries the workflow without pause until `done` settles, as a CLI or a Web UI following it would. */
async function queriedUntil<T>(query: () => Promise<unknown>, done: Promise<T>): Promise<T> {
  let settled = false;
  const polling = (async () => {
    while (!settled) {
      await query().catch((error: unknown) => {
        problems.push(`query: ${String(error)}`);
      });
    }
  })();
  try {
    return await done;
  } finally {
    settled = true;
    await polling;
  }
}

/** Records the workflow tasks that failed in a workflow's history, and whether the history replays. */
async function checkHistory(handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  for (const event of history.events ?? []) {
    const failed = event.workflowTaskFailedEventAttributes;
    if (failed) problems.push(`${handle.workflowId} task failed: ${failed.failure?.message ?? ''}`);
  }
  const bundle = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
  await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId).catch(
    (error: unknown) => problems.push(`${handle.workflowId} replay: ${String(error)}`),
  );
}

// A query that arrives while the provider-policy check runs can end the workflow task before the
// code that follows the check has run; the history must still replay (queries of an ended
// workflow, and any cache eviction, replay it).
describe('histories replay whatever queries arrived while the provider-policy check ran', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    scriptedCouncil(mock, () => undefined, 20);
    harness = await startHarness('policy-replay', createLlmActivities(mockClients(mock)));
  });
  beforeEach(() => {
    problems.length = 0;
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('councils', async () => {
    await Promise.all(
      Array.from({ length: RUNS }, async (_, run) => {
        const context = council('parallel', [expert('a'), expert('b')]);
        const councilId = await startCouncil(harness.client, context, { taskQueue: harness.taskQueue });
        const handle = harness.client.workflow.getHandle(councilId);
        const query = () => handle.query(councilProgressQuery, { fromEvent: run });
        await queriedUntil(query, handle.result());
        await checkHistory(handle);
      }),
    );
    expect(problems).toEqual([]);
  }, 120_000);

  it('sessions, at start and when a participant joins', async () => {
    await Promise.all(
      Array.from({ length: RUNS }, async () => {
        const session = await MultiParticipantSession.create(
          harness.client,
          {
            systemPrompt: 'System prompt',
            strategy: 'broadcast',
            participants: [{ name: 'Agent-1', model, role: 'panelist' }],
          },
          { taskQueue: harness.taskQueue },
        );
        const handle = harness.client.workflow.getHandle(session.sessionId);
        const query = () => handle.query(sessionViewQuery);
        await queriedUntil(query, session.sendMessage('user', 'Hello'));
        await queriedUntil(query, session.addParticipant('Agent-2', model, 'panelist'));
        await queriedUntil(query, session.sendMessage('user', 'Again'));
        await session.close();
        await checkHistory(handle);
      }),
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
