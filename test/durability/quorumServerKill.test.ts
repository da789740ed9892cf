import { startCouncil } from '../../client/api/council';
import type { CouncilWorkflowResult } from '../../common/council';
import { council, expert, userPrompt } from '../council/support';
import { waitForRun } from './support/explain';
import { completedCalls } from './support/llm';
import { useServerKillEnvironment } from './support/serverKill';
import { firstTimer, waitUntilRecorded } from './support/temporal';

const DEADLINE_MS = 8_000;

describe('a quorum deadline across a Temporal server SIGKILL', () => {
  // Expert C is held at the model until released: its call is in flight through the outage.
  const environment = useServerKillEnvironment({
    latencyMs: 200,
    hold: (speaker) => speaker === 'Expert C',
    taskQueue: 'durability-quorum-server-kill',
  });

  it('the deadline falls due while the server is down; restarted, it closes the round without C', async () => {
    const { answerer, taskQueue } = environment;
    const first = environment.client;
    const startedAt = Date.now();
    const councilId = await startCouncil(
      first,
      council('parallel', [expert('a'), expert('b'), expert('c')], { deadlineMs: DEADLINE_MS }),
      { taskQueue },
    );
    // Recorded by the server, not only served by the mock: the round's answers are in the database
    // the restarted server reads.
    const recorded = first.workflow.getHandle(councilId);
    await waitUntilRecorded(
      'A and B to answer while C is held',
      recorded,
      () => answerer.held.length === 1,
      2,
    );

    await environment.killServer();
    const killedAt = Date.now();
    expect(killedAt - startedAt).toBeLessThan(DEADLINE_MS);
    await new Promise((resolve) => setTimeout(resolve, startedAt + DEADLINE_MS + 1_000 - Date.now()));
    // The restarted server may fire the overdue timer before restartServer() has seen it ready.
    const restartBegan = Date.now();
    const fresh = await environment.restartServer();
    const handle = fresh.workflow.getHandle(councilId);
    await waitForRun(
      'the synthesis, made without C',
      handle,
      [environment.worker],
      () => completedCalls(environment.mock).some((call) => call.speaker === 'Synthesizer'),
      90_000,
    );
    answerer.release();
    const result = (await handle.result()) as CouncilWorkflowResult;

    const synthesis = completedCalls(environment.mock).find((call) => call.speaker === 'Synthesizer');
    expect(synthesis && userPrompt(synthesis.entry)).toContain('Expert B: answer');
    expect(synthesis && userPrompt(synthesis.entry)).not.toContain('Expert C');
    expect(result.outputs.c).toMatchObject({ status: 'done', late: true });
    // The deadline's timer fired once the server was back: it was due while the server was down.
    // firstTimer reads whole seconds, so the bound is the second the restart began in.
    const deadline = firstTimer(await handle.fetchHistory());
    expect(deadline.firedAt).toBeGreaterThanOrEqual(Math.floor(restartBegan / 1000) * 1000);
  }, 180_000);
});
