import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { cleanEnv, spawnManaged, startWorkerProcess, waitFor } from './support/processes';
import { panelist } from './support/temporal';

const QUESTION = 'Which risks matter most?';

describe('the CLI SIGKILLed while it waits for a run', () => {
  // The calls are held at the model until the test lets them answer: in flight for as long as needed.
  const environment = useDurableEnvironment({ latencyMs: 1000, hold: () => true });

  it('`council session attach` picks the run up and prints its result; nothing is asked twice', async () => {
    const { mock, answerer, server, client } = environment;
    const taskQueue = 'durability-cli-kill';
    const worker = startWorkerProcess({
      address: server.address,
      taskQueue,
      llmUrl: mock.url,
      tag: 'worker-1',
    });
    await worker.ready;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'council-durability-cli-'));
    const config = path.join(dir, 'panel.json');
    writeFileSync(
      config,
      JSON.stringify({ strategy: 'broadcast', participants: [panelist('P1'), panelist('P2')] }),
    );
    // The CLI talks to the cluster only: its worker is the separate process above, keys live there.
    const env = cleanEnv({
      TEMPORAL_ADDRESS: server.address,
      COUNCIL_TASK_QUEUE: taskQueue,
      COUNCIL_DATA_DIR: dir,
    });
    const id = 'durability-cli-run';

    const run = spawnManaged(
      'council run',
      ['client/cli/main.ts', 'run', QUESTION, '--config', config, '--id', id],
      env,
    );
    const handle = client.workflow.getHandle(id);
    await waitFor(
      'the run to be waiting on its answers',
      () => run.stdout().includes(`Started session ${id}`) && answerer.held.length === 2,
      60_000,
    );
    await run.kill();
    const killedAt = Date.now();
    expect((await run.exited).signal).toBe('SIGKILL');
    expect(completedCalls(mock)).toHaveLength(0);

    const attach = spawnManaged(
      'council session attach',
      ['client/cli/main.ts', 'session', 'attach', id],
      env,
    );
    // Attached while the round is still in flight, it follows the round to its end.
    await waitFor('attach to attach', () => attach.stdout().includes(`Attached to session ${id}`), 60_000);
    expect(completedCalls(mock)).toHaveLength(0);
    const attachedAt = Date.now();
    answerer.release();
    const { code } = await attach.exited;
    console.log(
      `cli kill: \`session attach\` started ${attach.spawnedAt - killedAt} ms after the kill, attached ` +
        `${attachedAt - attach.spawnedAt} ms later, and exited ${Date.now() - attachedAt} ms after the ` +
        `held answers were let through`,
    );
    expect({ code, output: attach.output() }).toEqual({ code: 0, output: expect.any(String) });
    const out = attach.stdout();
    expect(out).toContain(`Attached to session ${id}`);
    expect(out).toMatch(/P1: answer \d/);
    expect(out).toMatch(/P2: answer \d/);
    expect(out).toMatch(/│ Total\s+│\s+│\s+│\s+20 │\s+10 │\s+30 │/);
    // The question was asked once: one call per participant, one round in the workflow.
    expect(
      completedCalls(mock)
        .map((call) => [call.speaker, call.message])
        .sort(),
    ).toEqual([
      ['P1', QUESTION],
      ['P2', QUESTION],
    ]);
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    const names = accepted.map(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name,
    );
    // One round, asked once; the session closed itself after it (no closeSession update needed).
    expect(names).toEqual(['sendMessage']);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  }, 180_000);
});
