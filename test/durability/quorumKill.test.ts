import { startCouncil } from '../../client/api/council';
import type { CouncilWorkflowResult } from '../../common/council';
import { council, expert, userPrompt } from '../council/support';
import { replaceWorker, startPollingWorker, useDurableEnvironment } from './support/environment';
import { waitForRun } from './support/explain';
import { completedCalls } from './support/llm';
import { firstTimer, waitUntilRecorded } from './support/temporal';

const DEADLINE_MS = 6_000;

describe('a quorum deadline across a worker SIGKILL', () => {
  // Expert C never answers until released: its call is in flight when the worker dies, and again
  // (its retry on the new worker) when the deadline closes the round.
  const environment = useDurableEnvironment({ latencyMs: 200, hold: (speaker) => speaker === 'Expert C' });

  it('the round closes at its deadline though no worker ran when it fell due; C answers late', async () => {
    const { mock, answerer, client } = environment;
    const taskQueue = 'durability-quorum-kill';
    const first = await startPollingWorker(environment, taskQueue, 'worker-1');
    const experts = [expert('a'), expert('b'), expert('c', { timeouts: { heartbeatMs: 5000 } })];
    const startedAt = Date.now();
    const councilId = await startCouncil(
      client,
      council('parallel', experts, { deadlineMs: DEADLINE_MS, enableMessaging: true }),
      { taskQueue },
    );
    const handle = client.workflow.getHandle(councilId);
    // A and B recorded before the kill: left to their heartbeat timeout, the deadline would close a
    // round with no answer.
    await waitUntilRecorded('A and B to answer while C is held', handle, () => answerer.held.length === 1, 2);
    // Killed before the deadline, no worker runs when it falls due: the server's timer fires all the same.
    const { killedAt, worker: second } = await replaceWorker(environment, first, 'worker-2', {
      notBefore: startedAt + DEADLINE_MS + 1_000,
    });
    expect(killedAt - startedAt).toBeLessThan(DEADLINE_MS);
    await waitForRun(
      'the synthesis, made without C',
      handle,
      [first, second],
      () => completedCalls(mock).some((call) => call.speaker === 'Synthesizer'),
      90_000,
    );
    answerer.release();
    const result = (await handle.result()) as CouncilWorkflowResult;

    const synthesis = completedCalls(mock).find((call) => call.speaker === 'Synthesizer');
    expect(synthesis?.worker).toBe('worker-2');
    expect(synthesis && userPrompt(synthesis.entry)).toContain('Expert A: answer');
    expect(synthesis && userPrompt(synthesis.entry)).not.toContain('Expert C');
    expect(result.outputs.c).toMatchObject({ status: 'done', late: true });
    expect(result.outputs.c?.content).toMatch(/^Expert C: answer/);
    expect(result.messages?.find((message) => message.sender === 'c')?.late).toBe(true);
    // The history holds the deadline's timer, fired after the kill (it was due while no worker ran).
    const deadline = firstTimer(await handle.fetchHistory());
    expect(deadline.seconds).toBe(DEADLINE_MS / 1000);
    expect(deadline.firedAt).toBeGreaterThanOrEqual(Math.floor(killedAt / 1000) * 1000);
  }, 180_000);
});
