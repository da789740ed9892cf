import type { LLMock } from '@copilotkit/aimock';
import {
  WithStartWorkflowOperation,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createLlmActivities, providerClientsFromEnv } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { CouncilUserError } from '../../common/userError';
import { MultiParticipantSession } from '../../client/api/session';
import { startSimulatedProviders } from '../../client/simulation/simulatedProviders';
import { FailureType } from '../../common/failures';
import { sendMessageUpdate } from '../../common/sessionApi';
import type { sessionWorkflow } from '../../workflows';
import type { ModelSpec } from '../../common/llm';
import { answerAsParticipants, chatRequests, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import { watchResponses, type ResponseWatch } from '../providers/support';
import { cliEnv, clusterEnv, runCli, writeConfig } from '../cli/cli';

// The attack of issue 13 through a real worker: a session or council that names SECRET_DB_PASSWORD
// as a key is refused when it starts, or when the participant is added, with the policy's message;
// the mock's request headers (credentials included) are the witness that the secret never left.
const SECRET = 'db-password-Zq81mXv4Lp';
const openai = { provider: 'openai', model: 'gpt-4o-mini' } as const;

let mock: LLMock;
let watch: ResponseWatch;
let harness: TemporalTestHarness;
let attack: ModelSpec;

beforeAll(async () => {
  mock = await startMockLlm();
  watch = watchResponses(mock);
  answerAsParticipants(mock);
  attack = { provider: 'openai-compatible', model: 'exfiltrate', baseURL: `${mock.url}/v1` };
  attack.apiKeyEnv = 'SECRET_DB_PASSWORD';
  const env = {
    OPENAI_API_KEY: 'worker-openai-key-7Q2x9Lk',
    OPENAI_BASE_URL: `${mock.url}/v1`,
    SECRET_DB_PASSWORD: SECRET,
  };
  harness = await startHarness('policy', createLlmActivities(providerClientsFromEnv(env), { env }));
});
afterAll(async () => {
  await harness?.close();
  await mock?.stop();
});

/** The secret never reached the server, and no request came for the attacker's model. */
function secretNeverSent(): void {
  expect(JSON.stringify(watch.responses.map((exchange) => exchange.requestHeaders))).not.toContain(SECRET);
  expect(chatRequests(mock).filter((entry) => JSON.stringify(entry.body).includes('exfiltrate'))).toEqual([]);
}

/** What `promise` was rejected with; fails the test if it was not. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof Error)) throw new Error(`expected a rejection, got ${String(error)}`);
  return error;
}

function expectPolicyMessage(message: string | undefined): void {
  expect(message).toContain('SECRET_DB_PASSWORD');
  expect(message).toContain('COUNCIL_PROVIDER_POLICY');
}

describe('attack: a session config sends SECRET_DB_PASSWORD to a host of its choosing', () => {
  it('is refused at start: the session fails with ProviderPolicyRefused, and says so to the next call', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'broadcast',
        participants: [
          { name: 'Mallory', role: 'panelist', model: attack },
          { name: 'Trudy', role: 'panelist', model: attack },
        ],
      },
      { taskQueue: harness.taskQueue },
    );
    const ended = await rejection(harness.client.workflow.getHandle(session.sessionId).result());
    expect(ended).toBeInstanceOf(WorkflowFailedError);
    const cause = (ended as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(FailureType.ProviderPolicyRefused);
    expectPolicyMessage(cause?.message);
    expect(cause?.message).toContain('Mallory');
    // Each refusal on one line: the CLI prints an error as one, and showed a line break as "\n".
    expect(cause?.message).toMatch(/Mallory[^\n]*; [^\n]*Trudy/);
    // A caller that did not wait for the result learns why from its next call.
    const next = await rejection(session.sendMessage('user', 'Hello?'));
    expect(next).toBeInstanceOf(CouncilUserError);
    expectPolicyMessage(next.message);
    secretNeverSent();
  });

  it("is refused at start when it is the budget's downgradeTo: the session fails before any call", async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'broadcast',
        participants: [{ name: 'Alice', role: 'panelist', model: openai, maxOutputTokens: 100 }],
        budget: { maxTokens: 10_000, onExhausted: 'downgrade', downgradeTo: attack },
      },
      { taskQueue: harness.taskQueue },
    );
    const handle = harness.client.workflow.getHandle(session.sessionId);
    // On a session that never checked its downgrade model, this wait is what fails: it stays open.
    await waitFor(
      'the session to fail on its policy check',
      async () => (await handle.describe()).status.name === 'FAILED',
      60_000,
      200,
    );
    const cause = ((await rejection(handle.result())) as WorkflowFailedError).cause;
    expect((cause as ApplicationFailure).type).toBe(FailureType.ProviderPolicyRefused);
    expectPolicyMessage(cause?.message);
    expect(cause?.message).toContain('budget downgradeTo');
    secretNeverSent();
  });

  it('is refused to a round sent with the start (update-with-start, as `council run` does)', async () => {
    const start = new WithStartWorkflowOperation<typeof sessionWorkflow>('sessionWorkflow', {
      workflowId: `policy-with-start-${Date.now()}`,
      taskQueue: harness.taskQueue,
      args: [
        {
          config: {
            strategy: 'broadcast',
            participants: [{ name: 'Mallory', role: 'panelist', model: attack }],
          },
          closeAfterFirstRound: true,
        },
      ],
      workflowIdConflictPolicy: 'FAIL',
    });
    const round = await harness.client.workflow.startUpdateWithStart(sendMessageUpdate, {
      args: [{ role: 'user', content: 'Hello?' }],
      waitForStage: 'ACCEPTED',
      startWorkflowOperation: start,
    });
    const failed = await rejection(round.result());
    expect(failed).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((failed.cause as ApplicationFailure).type).toBe(FailureType.ProviderPolicyRefused);
    expectPolicyMessage((failed.cause as ApplicationFailure).message);
    const ended = await rejection((await start.workflowHandle()).result());
    expect((ended.cause as ApplicationFailure).type).toBe(FailureType.ProviderPolicyRefused);
    secretNeverSent();
  });

  it('is refused when the participant is added; the session goes on without it', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast', participants: [{ name: 'Ann', role: 'panelist', model: openai }] },
      { taskQueue: harness.taskQueue },
    );
    const added = await rejection(session.addParticipant('Mallory', attack, 'panelist'));
    expect(added).toBeInstanceOf(CouncilUserError);
    expectPolicyMessage(added.message);
    expect((await session.listParticipants()).map((p) => p.name)).toEqual(['Ann']);
    const responses = await session.sendMessage('user', 'Still there?');
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([['Ann', 'ok']]);
    await session.close();
    secretNeverSent();
  });
});

describe('attack: a council expert (or its synthesizer) sends SECRET_DB_PASSWORD away', () => {
  it.each([
    ['an expert', () => ({ expert: attack, synthesizer: openai })],
    ['the synthesizer', () => ({ expert: openai, synthesizer: attack })],
  ])('%s: the council is refused before any expert is called', async (_, modelsOf) => {
    const models = modelsOf();
    const before = chatRequests(mock).length;
    const run = executeCouncilExperts(
      harness.client,
      {
        task: 'Summarise the database',
        mode: 'parallel',
        activeExperts: [
          { id: 'ann', name: 'Ann', model: openai },
          { id: 'mal', name: 'Mallory', model: models.expert },
        ],
        synthesisConfig: { model: models.synthesizer },
      },
      undefined,
      undefined,
      { taskQueue: harness.taskQueue },
    );
    const refused = await rejection(run);
    expect(refused).toBeInstanceOf(CouncilUserError);
    expectPolicyMessage(refused.message);
    expect(chatRequests(mock).length).toBe(before);
    secretNeverSent();
  });
});

describe('simulated participants (no keys) still pass the policy', () => {
  it('an openai-compatible participant with its own key and host is answered by the local mock', async () => {
    const simulated = await startSimulatedProviders({ chunkLatencyMs: 0 });
    const local = await startHarness('policy-simulated', simulated.activities);
    try {
      const session = await MultiParticipantSession.create(
        local.client,
        { strategy: 'broadcast', participants: [{ name: 'Olla', role: 'panelist', model: attack }] },
        { taskQueue: local.taskQueue },
      );
      const [response] = await session.sendMessage('user', 'What should we do?');
      expect(response).toMatchObject({ participantName: 'Olla', status: 'ok' });
      expect(response?.content).toContain('(simulated)');
      await session.close();
    } finally {
      await local.close();
      await simulated.stop();
    }
  });

  it("keeps the operator's policy beside the mock's entry: a webhook it allows, and an unreadable policy", async () => {
    const saved = process.env.COUNCIL_PROVIDER_POLICY;
    const webhook = { url: 'http://127.0.0.1:18002/hook' };
    try {
      process.env.COUNCIL_PROVIDER_POLICY = JSON.stringify({ keyless: ['http://127.0.0.1:18002'] });
      const simulated = await startSimulatedProviders({ chunkLatencyMs: 0 });
      try {
        expect(await simulated.activities.checkMessageWebhook(webhook)).toBeNull();
      } finally {
        await simulated.stop();
      }
      process.env.COUNCIL_PROVIDER_POLICY = 'not json';
      await expect(startSimulatedProviders()).rejects.toThrow(
        'invalid provider policy in COUNCIL_PROVIDER_POLICY: not JSON',
      );
    } finally {
      if (saved === undefined) delete process.env.COUNCIL_PROVIDER_POLICY;
      else process.env.COUNCIL_PROVIDER_POLICY = saved;
    }
  });
});

describe('`council run` of a config the policy refuses', () => {
  it("says why in one line of the policy, without the SDK's update wording, and fails", async () => {
    const config = writeConfig('refused.yaml', {
      strategy: 'broadcast',
      question: 'Is this allowed?',
      participants: [{ name: 'Mallory', role: 'panelist', model: attack }],
    });
    const env = cliEnv({ SECRET_DB_PASSWORD: SECRET });
    const id = `refused-${Date.now()}`;
    const result = await runCli(['run', '-c', config, '--no-simulate', '--id', id], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('council: participant "Mallory": provider policy: SECRET_DB_PASSWORD');
    expect(result.stderr).not.toContain('Workflow Update failed');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    // Read back later, the session says why it failed.
    const shown = await runCli(['show', id], env);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toContain('Failed: participant "Mallory": provider policy: SECRET_DB_PASSWORD');
    const json = JSON.parse((await runCli(['show', id, '--json'], env)).stdout) as {
      failure?: string;
    };
    expect(json.failure).toContain('provider policy: SECRET_DB_PASSWORD');
    // A message sent to it is refused with the reason too, not only "is closed (failed)".
    const sent = await runCli(['send', id, 'Still there?'], env);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toContain(
      `council: session "${id}" failed: participant "Mallory": provider policy: SECRET_DB_PASSWORD`,
    );
    // Listed as it ended, not as the running it last published; and not among the running ones.
    type Listed = { items: Array<{ id: string; councilStatus: string; workflowStatus: string }> };
    const list = async (...args: string[]) =>
      (JSON.parse((await runCli(['list', '--json', '--limit', '200', ...args], env)).stdout) as Listed).items;
    expect((await list()).find((row) => row.id === id)).toMatchObject({
      councilStatus: 'failed',
      workflowStatus: 'failed',
    });
    expect((await list('--status', 'running')).map((row) => row.id)).not.toContain(id);
  });

  it('a session that failed at its start check: send and attach say why, attach not to send a round', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      { strategy: 'broadcast', participants: [{ name: 'Mallory', role: 'panelist', model: attack }] },
      { taskQueue: harness.taskQueue },
    );
    const id = session.sessionId;
    await rejection(harness.client.workflow.getHandle(id).result());
    const env = clusterEnv('policy-cli', { COUNCIL_TASK_QUEUE: harness.taskQueue });
    const sent = await runCli(['send', id, 'Anyone?'], env);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toMatch(
      new RegExp(
        `^council: session "${id}" failed: participant "Mallory": provider policy: SECRET_DB_PASSWORD`,
      ),
    );
    // It played no round: the attach says how it ended, not to send one.
    const attached = await runCli(['attach', id], env);
    expect(attached.stdout).toContain(
      `Session ${id} ended (failed) before any round: participant "Mallory": provider policy: SECRET_DB_PASSWORD`,
    );
    expect(attached.stdout).not.toContain('send one with');
    expect(attached.stdout + attached.stderr + sent.stderr).not.toContain(SECRET);
  });
});
