import { Client, Connection } from '@temporalio/client';
import { MultiParticipantSession } from '../../client/api/session';
import { chatRequests, useParticipantMock } from '../helpers/mockLlm';
import {
  cliEnv,
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

// Four CLI processes in a row against the shared server.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

/**
 * A session started with `start` (whose worker then leaves), a round asked for while no worker serves
 * its queue, as after `run` was killed: whichever worker next takes the workflow task schedules its
 * calls. `use` gets the round; both panelists answer it in the end.
 */
async function withUnservedRound(
  id: string,
  start: Record<string, string>,
  config: string,
  use: () => Promise<void>,
): Promise<void> {
  expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], start));
  const connection = await Connection.connect({ address: TEST_ENV.address });
  const client = new Client({ connection, namespace: TEST_ENV.namespace });
  try {
    const session = await MultiParticipantSession.attach(client, id);
    const asked = session.sendMessage('user', 'Who serves this?');
    asked.catch(() => undefined);
    await use();
    const responses = await asked;
    expect(responses.map((response) => [response.participantName, response.status])).toEqual([
      ['Expert-1', 'ok'],
      ['Expert-2', 'ok'],
    ]);
  } finally {
    await connection.close();
  }
}

describe('a command run where the keys of the run it serves are not set', () => {
  const llm = useParticipantMock();

  it('show takes none of its calls, attach refuses naming the key, and attach with the key ends the round', async () => {
    const env = clusterEnv('serve-keys');
    const keys = mockProviderEnv(llm.mock);
    const id = `serve-keys-${process.pid}`;
    await withUnservedRound(id, { ...env, ...keys }, writeConfig('panel.yaml', panelConfig()), async () => {
      // The mock is the file's: calls of other tests in it came before.
      const callsBefore = chatRequests(llm.mock).length;
      const shown = await runCli(['show', id, '--worker'], env);
      expectSuccess(shown);
      // The round is not over (begun or still waiting, as far as a worker without the calls takes
      // it): show says so, and what follows it.
      expect(shown.stdout).toMatch(
        new RegExp(
          '^(Round 1 is being played \\(0 of 2 call\\(s\\) ended\\)|1 round\\(s\\) asked for wait to begin): ' +
            `\`council attach ${id}\` follows`,
          'm',
        ),
      );
      const json = JSON.parse((await runCli(['show', id, '--worker', '--json'], env)).stdout) as {
        activeRound?: { round: number };
        roundsWaiting?: number;
      };
      expect(json.activeRound?.round ?? json.roundsWaiting).toBe(1);
      const refused = await runCli(['attach', id, '--worker'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `council: OPENAI_API_KEY is not set, and the session ${id} has calls that need it (set it and run the command again`,
      );
      expect(chatRequests(llm.mock)).toHaveLength(callsBefore);
      expectSuccess(await runCli(['attach', id, '--worker'], { ...env, ...keys }));
    });
  });

  it("attach refuses a round whose calls this shell's provider policy refuses, and the worker's policy ends it", async () => {
    const env = clusterEnv('serve-policy');
    const model = { provider: 'openai-compatible', model: 'local', baseURL: `${llm.mock.url}/v1` };
    const config = writeConfig('keyless.yaml', {
      strategy: 'broadcast',
      participants: ['Expert-1', 'Expert-2'].map((name) => ({ name, role: 'panelist', model })),
    });
    const policy = { COUNCIL_PROVIDER_POLICY: JSON.stringify({ keyless: [llm.mock.url] }) };
    const id = `serve-policy-${process.pid}`;
    await withUnservedRound(id, { ...env, ...policy }, config, async () => {
      const callsBefore = chatRequests(llm.mock).length;
      const refused = await runCli(['attach', id, '--worker'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `council: this process's provider policy refuses calls the session ${id} makes (and 1 more): ` +
          `participant "Expert-1": provider policy: this worker calls no keyless server at ${llm.mock.url}.`,
      );
      expect(chatRequests(llm.mock)).toHaveLength(callsBefore);
      expectSuccess(await runCli(['attach', id, '--worker'], { ...env, ...policy }));
    });
  });

  it('run --from-run reads a council that had a task queue of its own, which no worker polls since', async () => {
    // No COUNCIL_TASK_QUEUE: a run with keys and its own worker gets the queue council-<id>.
    const env = { ...cliEnv({ TEMPORAL_ADDRESS: TEST_ENV.address }), ...mockProviderEnv(llm.mock) };
    const config = writeConfig('council.yaml', councilConfig());
    const source = await runCli(['run', '-c', config, '--worker', '--json'], env);
    expectSuccess(source);
    const sourceId = (JSON.parse(source.stdout) as { id: string }).id;
    const next = await runCli(['run', '-c', config, '--from-run', sourceId, '--worker', '--json'], env);
    expectSuccess(next);
    expect((JSON.parse(next.stdout) as { continuedFrom?: string }).continuedFrom).toBe(sourceId);
  });
});
