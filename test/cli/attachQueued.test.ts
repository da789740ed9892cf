import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowUpdateStage } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { MultiParticipantSession } from '../../client/api/session';
import { sendMessageUpdate } from '../../common/sessionApi';
import { sessionConfigSchema } from '../../common/sessionInputs';
import { createLlmActivities } from '../../activities';
import { mockClients, useParticipantMock } from '../helpers/mockLlm';
import {
  quietRuntime,
  startHarness,
  testEnvironment,
  uniqueTaskQueue,
  type TemporalTestHarness,
} from '../helpers/testEnv';
import { cliEnv, expectSuccess, panelConfig, startCli, stopStartedClis, TEST_ENV, waitFor } from './cli';

// A CLI start with its worker on a busy 2-core machine takes seconds.
jest.setTimeout(180_000);
afterAll(stopStartedClis);

describe('attach to a session whose next round is asked for but has not begun', () => {
  const llm = useParticipantMock();

  it('waits for that round and prints its answers (it left at once, saying no round had been played)', async () => {
    quietRuntime();
    const taskQueue = uniqueTaskQueue('attach-queued');
    const connection = await Connection.connect({ address: TEST_ENV.address });
    const client = new Client({ connection, namespace: TEST_ENV.namespace });
    const workerConnection = await NativeConnection.connect({ address: TEST_ENV.address });
    // Workflows only: the round is accepted, then waits for the session's start check, an activity
    // no worker serves yet.
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: TEST_ENV.namespace,
      taskQueue,
      workflowBundle: { code: readFileSync(testEnvironment().bundlePath, 'utf8') },
      shutdownGraceTime: '1s',
    });
    const workerRun = worker.run();
    const id = `attach-queued-${process.pid}`;
    let calls: TemporalTestHarness | undefined;
    try {
      await MultiParticipantSession.create(client, sessionConfigSchema.parse(panelConfig()), {
        sessionId: id,
        taskQueue,
      });
      // A session that has begun no round: nothing to wait for, and attach says so.
      const early = await startCli(['attach', id], cliEnv({ TEMPORAL_ADDRESS: TEST_ENV.address })).done;
      expectSuccess(early);
      expect(early.stdout).toContain('No round has been played yet: send one with `council send`.');
      const asked = await client.workflow.getHandle(id).startUpdate(sendMessageUpdate, {
        args: [{ role: 'user', content: 'Who answers first?' }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });

      // show says the round waits, and what follows it.
      const shown = await startCli(['show', id], cliEnv({ TEMPORAL_ADDRESS: TEST_ENV.address })).done;
      expectSuccess(shown);
      expect(shown.stdout).toContain(
        `1 round(s) asked for wait to begin: \`council attach ${id}\` follows the next to its end`,
      );
      // Attach with no worker of its own: it reads the session while nothing can begin the round.
      const attach = startCli(['attach', id], cliEnv({ TEMPORAL_ADDRESS: TEST_ENV.address }));
      await waitFor(
        'attach to say the round waits',
        () => attach.output.stdout.includes('Round 1 is asked for and waits to begin.'),
        { process: attach },
      );
      // Now a worker that serves calls: the start check passes, the round plays, attach prints it.
      calls = await startHarness('attach-queued-calls', createLlmActivities(mockClients(llm.mock)), {
        taskQueue,
      });
      const attached = await attach.done;
      expectSuccess(attached);
      expect(attached.stdout).not.toContain('No round has been played yet');
      expect(attached.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer/);
      expect(attached.stdout).toMatch(/Expert-2 \(panelist\)\nExpert-2: answer/);
      expect(attached.stdout).toMatch(/^Total time: \d+\.\d s$/m);
      // Attached once the round is over: it knows the answers, not how long they took.
      const after = await startCli(['attach', id], cliEnv({ TEMPORAL_ADDRESS: TEST_ENV.address })).done;
      expectSuccess(after);
      expect(after.stdout).toMatch(/Expert-1: answer/);
      expect(after.stdout).not.toContain('Total time');
      const { responses } = await asked.result();
      expect(responses.map((response) => [response.participantName, response.status])).toEqual([
        ['Expert-1', 'ok'],
        ['Expert-2', 'ok'],
      ]);
    } finally {
      await client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
      await calls?.close();
      worker.shutdown();
      await workerRun;
      await workerConnection.close();
      await connection.close();
    }
  });
});
