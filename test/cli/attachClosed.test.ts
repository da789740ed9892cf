import { Client, Connection } from '@temporalio/client';
import { useParticipantMock } from '../helpers/mockLlm';
import {
  clusterEnv,
  councilConfig,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  stopStartedClis,
  TEST_ENV,
  writeConfig,
} from './cli';

// Each case spawns the CLI with a worker twice: a minute on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('attach to a run that has already ended reports the run, not the attach', () => {
  const llm = useParticipantMock();
  let client: Client;
  beforeAll(async () => {
    const connection = await Connection.connect({ address: TEST_ENV.address });
    client = new Client({ connection, namespace: TEST_ENV.namespace });
  });
  afterAll(async () => {
    await client?.connection.close();
  });

  /** The run's own duration, from the server's start and close times. */
  async function ranMs(id: string): Promise<number> {
    const { startTime, closeTime } = await client.workflow.getHandle(id).describe();
    return (closeTime?.getTime() ?? NaN) - startTime.getTime();
  }

  for (const [kind, config] of [
    ['session run', panelConfig()],
    ['council', councilConfig()],
  ] as const) {
    it(`a ${kind}: the total time and the progress times are the run's, however long after it ended`, async () => {
      const env = clusterEnv('attach-closed', mockProviderEnv(llm.mock));
      const id = `attach-closed-${kind.split(' ')[0]}-${process.pid}`;
      expectSuccess(
        await runCli(['run', 'Q?', '-c', writeConfig('c.json', config), '--id', id, '--worker'], env),
      );
      const attached = await runCli(['attach', id, '--worker', '--json'], env);
      expectSuccess(attached);
      // The attach itself takes seconds (a CLI start, a worker): a total counted to its end would show them.
      const document = JSON.parse(attached.stdout) as { elapsedMs: number; workflowStatus?: string };
      expect(document.elapsedMs).toBe(await ranMs(id));
      // How the run ended, as the text's "Attached to … (completed)" says: a cancelled one read "ok" alone.
      if (kind === 'session run') expect(document.workflowStatus).toBe('completed');

      // Its progress lines are stamped when each thing happened in the run, not when they were read.
      const { startTime, closeTime } = await client.workflow.getHandle(id).describe();
      // A stamp of the attach's own time must fall in a later second than the run's end.
      const endMs = closeTime?.getTime() ?? NaN;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, endMs + 1000 - Date.now())));
      const text = await runCli(['attach', id, '--worker'], env);
      expectSuccess(text);
      const stamps = [...text.stdout.matchAll(/^\[(\d\d:\d\d:\d\d)\] /gm)].map((m) => m[1]);
      expect(stamps.length).toBeGreaterThan(0);
      const clock = (at: Date) => at.toISOString().slice(11, 19);
      const [from, to] = [clock(startTime), clock(closeTime ?? new Date(NaN))];
      // A run across midnight (UTC) shows times from before it and after it.
      const during = (stamp: string | undefined) =>
        stamp !== undefined && (from <= to ? stamp >= from && stamp <= to : stamp >= from || stamp <= to);
      expect(stamps.filter((stamp) => !during(stamp))).toEqual([]);
    });
  }
});
