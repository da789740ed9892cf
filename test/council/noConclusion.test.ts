import type { ChatCompletionRequest } from '@copilotkit/aimock';
import type { JsonDocument } from '../../client/cli/jsonOutput';
import { startCouncil } from '../../client/api/council';
import { listRuns } from '../../client/api/runRow';
import { findRun } from '../../client/api/runs';
import { showCouncil } from '../../client/cli/councilShow';
import type { Output } from '../../client/cli/output';
import { councilProgressQuery } from '../../common/councilApi';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { waitFor } from '../helpers/wait';
import { council, expert } from './support';

const NOBODY_ANSWERS = 'Every expert is refused.';
const SYNTHESIS_REFUSED = 'The synthesizer is refused.';
const refusal = {
  error: { message: 'this request is malformed', type: 'invalid_request_error' },
  status: 400,
};

const asks = (request: ChatCompletionRequest, text: string) =>
  JSON.stringify(request.messages).includes(text);
const synthesizes = (request: ChatCompletionRequest) => asks(request, 'into one conclusion');

// A council whose every expert failed, or whose synthesis failed, ended with nothing concluded, yet
// its CouncilStatus (the list's STATUS, `show --json`'s councilStatus, the Web UI's filter) said
// `completed`, the same as a council that reached its conclusion.
describe('a council that reaches no conclusion', () => {
  const bench = useMockHarness('council-no-conclusion', (mock) => {
    mock.on({ predicate: (request) => asks(request, NOBODY_ANSWERS) && !synthesizes(request) }, refusal);
    mock.on({ predicate: (request) => asks(request, SYNTHESIS_REFUSED) && synthesizes(request) }, refusal);
    answerAsParticipants(mock);
  });

  async function endOf(task: string) {
    const { client, taskQueue } = bench.harness;
    const id = await startCouncil(client, council('parallel', [expert('a'), expert('b')], { task }), {
      taskQueue,
    });
    const handle = client.workflow.getHandle(id);
    await handle.result();
    const progress = await handle.query(councilProgressQuery, { fromEvent: 0 });
    const rowOf = async () => (await listRuns(client, { kind: 'council' })).runs.find((run) => run.id === id);
    // Visibility lags the close: the row is read once it shows the council closed.
    await waitFor('the closed council listed', async () => (await rowOf())?.workflowStatus === 'completed');
    const row = await rowOf();
    const shown: JsonDocument[] = [];
    const lines: string[] = [];
    const output = (json: boolean): Output => ({
      json,
      width: undefined,
      say: (line) => lines.push(line),
      result: (doc) => shown.push(doc),
    });
    await showCouncil(client, await findRun(client, id), output(true));
    await showCouncil(client, await findRun(client, id), output(false));
    const last = progress.events.filter((event) => event.kind === 'status').at(-1);
    const heading = lines.find((line) => line.startsWith(`Council ${id}:`));
    return { progress, last, row, heading, shown: shown[0] as { councilStatus?: string } | undefined };
  }

  it('says so when every expert failed: the synthesis had nothing to conclude from', async () => {
    const { progress, last, row, heading, shown } = await endOf(`Decide. ${NOBODY_ANSWERS}`);
    expect(progress).toMatchObject({ status: 'no-conclusion', done: true });
    expect(last).toMatchObject({
      status: 'no-conclusion',
      detail: '2 of 2 experts failed; no conclusion: no expert gave an answer',
    });
    expect(row).toMatchObject({ councilStatus: 'no-conclusion', workflowStatus: 'completed' });
    expect(shown?.councilStatus).toBe('no-conclusion');
    expect(heading).toMatch(/: parallel, completed with no conclusion, 1 round\(s\)$/);
  });

  it("says so when the experts answered but the synthesizer's call failed", async () => {
    const { progress, last, row, shown } = await endOf(`Decide. ${SYNTHESIS_REFUSED}`);
    expect(progress).toMatchObject({ status: 'no-conclusion', done: true });
    expect(last?.kind === 'status' && last.detail).toMatch(
      /^0 of 2 experts failed; no conclusion: the synthesis failed \(ProviderBadRequest\)$/,
    );
    expect(row).toMatchObject({ councilStatus: 'no-conclusion', workflowStatus: 'completed' });
    expect(shown?.councilStatus).toBe('no-conclusion');
  });

  it('a council that concludes still ends completed', async () => {
    const { progress, row, heading, shown } = await endOf('Decide, and conclude.');
    expect(progress).toMatchObject({ status: 'completed', done: true });
    expect(row).toMatchObject({ councilStatus: 'completed', workflowStatus: 'completed' });
    expect(shown?.councilStatus).toBe('completed');
    expect(heading).toMatch(/: parallel, completed, 1 round\(s\)$/);
  });
});
