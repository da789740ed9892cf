import type { temporal } from '@temporalio/proto';
import { MultiParticipantSession } from '../../client/api/session';
import { CouncilStatusKey } from '../../common/searchAttributes';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const panelist = (name: string) => ({ name, role: 'panelist' as const, model });

/** What each upsert of the history set, without the SDK's own TemporalChangeVersion. */
function councilUpserts(events: temporal.api.history.v1.IHistoryEvent[]): string[][] {
  return events.flatMap((event) => {
    const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    const names = Object.keys(fields ?? {}).filter((name) => name !== 'TemporalChangeVersion');
    return names.length > 0 ? [names.sort()] : [];
  });
}

// Every upsert is a history event, a write to the server's visibility store and a billed Temporal
// Cloud action. A session published its status at its start and twice a round (running, then idle):
// two of the ~6 events and ~1.8 Cloud actions of each participant turn of a 5-participant round.
describe('the status a session publishes (the CouncilStatus search attribute)', () => {
  const bench = useMockHarness('status-published', (mock) => answerAsParticipants(mock));

  it('is set at its start, changes only when the session does (not at each round), and says closed at its close', async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', participants: [panelist('M1'), panelist('M2')] },
      { taskQueue },
    );
    const handle = client.workflow.getHandle(session.sessionId);
    const status = async () => (await handle.describe()).typedSearchAttributes.get(CouncilStatusKey);
    expect(await status()).toBe('running');

    await session.sendMessage('user', 'First question');
    await session.sendMessage('user', 'Second question');
    expect(await status()).toBe('running');
    expect(councilUpserts((await handle.fetchHistory()).events ?? [])).toEqual([]);

    await session.setOrchestrationStrategy('roundRobin');
    await session.close();
    expect(await status()).toBe('closed');
    expect(councilUpserts((await handle.fetchHistory()).events ?? [])).toEqual([
      ['CouncilStrategy'],
      ['CouncilStatus'],
    ]);
  });
});
