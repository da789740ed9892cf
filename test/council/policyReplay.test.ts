import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { startCouncil } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { councilProgressQuery } from '../../common/councilApi';
import { sessionViewQuery } from '../../common/sessionApi';
import { answerAsParticipants, mockClients, startMockLlm } from '../helpers/mockLlm';
import { checkHistory, queriedUntil } from '../helpers/queriedReplay';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, model, scriptedCouncil } from './support';

/** Runs concurrently: enough that, with queries arriving all the time, some policy check overlaps one. */
const RUNS = 6;

/** What went wrong with one workflow: failed queries, failed workflow tasks, its replay. */
const problems: string[] = [];

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
        await queriedUntil(problems, query, handle.result());
        await checkHistory(problems, handle);
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
        await queriedUntil(problems, query, session.sendMessage('user', 'Hello'));
        await queriedUntil(problems, query, session.addParticipant('Agent-2', model, 'panelist'));
        await queriedUntil(problems, query, session.sendMessage('user', 'Again'));
        await session.close();
        await checkHistory(problems, handle);
      }),
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
