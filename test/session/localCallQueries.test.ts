import { temporal } from '@temporalio/proto';
import { MultiParticipantSession } from '../../client/api/session';
import { sessionViewQuery } from '../../common/sessionApi';
import type { SessionConfigInput } from '../../common/sessionInputs';
import { useMockHarness } from '../helpers/mockHarness';
import { answerAsParticipants } from '../helpers/mockLlm';
import { pricedMini } from '../helpers/pricedModels';
import { checkHistory, queriedUntil } from '../helpers/queriedReplay';

/** Sessions at once: with queries arriving all the time, some overlap a local call. */
const RUNS = 4;
const problems: string[] = [];

/**
 * The one task failure the SDK's core causes, rarely, under local calls, queries and an update at
 * once: it completes a task with the acceptance of an update the server dropped after the task timed
 * out ("ProtocolMessageCommand referenced absent message ID"; the caller asks the update again,
 * client/api/updateRetry.ts). Counted apart: the workflow's code played no part in it.
 */
const CORE_UPDATE_RACE =
  temporal.api.enums.v1.WorkflowTaskFailedCause
    .WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE;
let coreRaces = 0;

/** Counts a task failed by the core race, and excuses it. */
function coreRace(failed: { cause?: temporal.api.enums.v1.WorkflowTaskFailedCause | null }): boolean {
  if (failed.cause !== CORE_UPDATE_RACE) return false;
  coreRaces += 1;
  return true;
}

// Code after a local call may run in a later workflow task than the call when a query ends the
// task in between (docs/durability.md, "No patched() right after a local activity"): the
// patches first asked after a call (an evaluator's verdicts, a budget's cost attribute) must replay.
describe('sessions with local participants replay whatever queries arrived during their calls', () => {
  const bench = useMockHarness('local-call-queries', (mock) => answerAsParticipants(mock, 50));

  async function play(config: SessionConfigInput): Promise<void> {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(client, config, { taskQueue });
    const handle = client.workflow.getHandle(session.sessionId);
    const query = () => handle.query(sessionViewQuery);
    await queriedUntil(problems, query, session.sendMessage('user', 'Hello'));
    await queriedUntil(problems, query, session.sendMessage('user', 'Again'));
    await session.close();
    await checkHistory(problems, handle, coreRace);
  }

  beforeEach(() => {
    problems.length = 0;
  });

  afterAll(() => {
    // Shown, not failed on: how often the core race happened, for the next look at it.
    if (coreRaces > 0) console.warn(`core's update race failed ${coreRaces} workflow task(s)`);
  });

  it('a broadcast with an evaluator, every call local', async () => {
    const local = (name: string, role: 'panelist' | 'evaluator') =>
      ({ name, role, model: pricedMini, callAs: 'local' }) as const;
    const config: SessionConfigInput = {
      strategy: 'broadcast',
      participants: [local('A', 'panelist'), local('B', 'panelist'), local('Judge', 'evaluator')],
    };
    await Promise.all(Array.from({ length: RUNS }, () => play(config)));
    expect(problems).toEqual([]);
  }, 120_000);

  it('a roundRobin under a budget, every call local', async () => {
    const local = (name: string) =>
      ({ name, role: 'panelist', model: pricedMini, maxOutputTokens: 100, callAs: 'local' }) as const;
    const config: SessionConfigInput = {
      strategy: 'roundRobin',
      budget: { maxCostUsd: 100 },
      participants: [local('A'), local('B')],
    };
    await Promise.all(Array.from({ length: RUNS }, () => play(config)));
    expect(problems).toEqual([]);
  }, 120_000);
});
