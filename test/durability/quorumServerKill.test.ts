import type { LLMock } from '@copilotkit/aimock';
import type { Client } from '@temporalio/client';
import { startCouncil } from '../../client/api/council';
import type { DevServer } from '../../client/runtime/devServer';
import { freePort } from '../../client/runtime/freePort';
import type { CouncilWorkflowResult } from '../../common/council';
import { council, expert, userPrompt } from '../council/support';
import { answerWithLatency, completedCalls, startMock, type Answerer } from './support/llm';
import {
  killAllProcesses,
  killServerHard,
  startDurableServer,
  startWorkerProcess,
  waitFor,
} from './support/processes';
import { completedActivities, connectTo } from './support/temporal';

const DEADLINE_MS = 8_000;

describe('a quorum deadline across a Temporal server SIGKILL', () => {
  let mock: LLMock;
  let answerer: Answerer;
  let server: DevServer | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    mock = await startMock();
    // Expert C is held at the model until released: its call is in flight through the outage.
    answerer = answerWithLatency(mock, 200, (speaker) => speaker === 'Expert C');
  });
  afterAll(async () => {
    await killAllProcesses();
    await Promise.allSettled(clients.map((client) => client.connection.close()));
    await server?.stop();
    await mock?.stop();
  });

  it('the deadline falls due while the server is down; restarted, it closes the round without C', async () => {
    const port = await freePort();
    const started = await startDurableServer({ port });
    server = started.server;
    const taskQueue = 'durability-quorum-server-kill';
    const worker = startWorkerProcess({
      address: server.address,
      taskQueue,
      llmUrl: mock.url,
      tag: 'worker-1',
    });
    await worker.ready;
    const first = await connectTo(server.address);
    clients.push(first);
    const startedAt = Date.now();
    const councilId = await startCouncil(
      first,
      council('parallel', [expert('a'), expert('b'), expert('c')], { deadlineMs: DEADLINE_MS }),
      { taskQueue },
    );
    // Recorded by the server, not only served by the mock: the round's answers are in the database
    // the restarted server reads.
    const recorded = first.workflow.getHandle(councilId);
    await waitFor(
      'A and B to answer while C is held',
      async () =>
        answerer.held.length === 1 &&
        completedActivities(await recorded.fetchHistory()).completed.length === 2,
      60_000,
    );

    await killServerHard(server);
    const killedAt = Date.now();
    expect(killedAt - startedAt).toBeLessThan(DEADLINE_MS);
    await new Promise((resolve) => setTimeout(resolve, startedAt + DEADLINE_MS + 1_000 - Date.now()));
    server = (await startDurableServer({ port, dbFile: started.dbFile })).server;
    const restartedAt = Date.now();
    const fresh = await connectTo(server.address);
    clients.push(fresh);
    await waitFor(
      'the synthesis, made without C',
      () => completedCalls(mock).some((call) => call.speaker === 'Synthesizer'),
      90_000,
    );
    answerer.release();
    const handle = fresh.workflow.getHandle(councilId);
    const result = (await handle.result()) as CouncilWorkflowResult;

    const synthesis = completedCalls(mock).find((call) => call.speaker === 'Synthesizer');
    expect(synthesis && userPrompt(synthesis.entry)).toContain('Expert B: answer');
    expect(synthesis && userPrompt(synthesis.entry)).not.toContain('Expert C');
    expect(result.outputs.c).toMatchObject({ status: 'done', late: true });
    // The deadline's timer fired once the server was back: it was due while the server was down.
    const events = (await handle.fetchHistory()).events ?? [];
    const fired = events.find((event) => event.timerFiredEventAttributes);
    expect(Number(fired?.eventTime?.seconds) * 1000).toBeGreaterThanOrEqual(
      Math.floor(restartedAt / 1000) * 1000 - 1000,
    );
  }, 180_000);
});
