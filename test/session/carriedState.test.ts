import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MultiParticipantSession } from '../../client/api/session';
import type { SessionState } from '../../common/session';
import type { sessionWorkflow } from '../../workflows';
import { answerAsParticipants, chatRequests, promptText } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { waitFor } from '../helpers/wait';

const firstVersionState = JSON.parse(
  readFileSync(path.join(__dirname, '../fixtures/states/session-v1-first.json'), 'utf8'),
) as SessionState;

describe('the state a session carries across continue-as-new, by version', () => {
  const bench = useMockHarness('carried-state', (mock) => answerAsParticipants(mock));

  const startFrom = (workflowId: string, state: SessionState) =>
    bench.harness.client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
      workflowId,
      taskQueue: bench.harness.taskQueue,
      args: [{ config: { strategy: state.config.strategy, participants: [] }, state }],
    });

  it("goes on from a state the first version wrote: the participant's history and the transcript carry on", async () => {
    const workflowId = `carried-v1-${process.pid}-${Date.now()}`;
    await startFrom(workflowId, firstVersionState);
    const session = await MultiParticipantSession.attach(bench.harness.client, workflowId);
    const responses = await session.sendMessage('user', 'And why does it matter?');
    expect(responses.map((r) => [r.participantName, r.status, r.round])).toEqual([['Ada', 'ok', 2]]);
    const [adaCall] = chatRequests(bench.mock);
    expect(adaCall && promptText(adaCall)).toContain("Ada's earlier answer");
    const transcript = await session.transcript();
    expect(transcript.map((entry) => `${entry.round} ${entry.from}`)).toEqual([
      '1 user',
      '1 Ada',
      '2 user',
      '2 Ada',
    ]);
    await session.close();
  });

  it('holds a state written by a newer worker (retrying its task) instead of misreading it', async () => {
    const workflowId = `carried-v2-${process.pid}-${Date.now()}`;
    const handle = await startFrom(workflowId, { ...firstVersionState, schemaVersion: 2 });
    let failure = '';
    await waitFor('a failed workflow task', async () => {
      const { events } = await handle.fetchHistory();
      const failed = events?.find((event) => event.workflowTaskFailedEventAttributes);
      failure = failed?.workflowTaskFailedEventAttributes?.failure?.message ?? '';
      return failure !== '';
    });
    expect(failure).toContain('session state has schemaVersion 2, this worker reads 1 to 1');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
  });
});
