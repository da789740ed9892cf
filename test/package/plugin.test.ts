import type { LLMock } from '@copilotkit/aimock';
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type ActivityInboundCallsInterceptor } from '@temporalio/worker';
import { createLlmActivities, MODEL_CALL_ACTIVITY } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import { CouncilUserError } from '../../common/userError';
import { councilPlugin } from '../../workers';
import { DEFAULT_EAGER_ACTIVITY_RESERVATIONS, DEFAULT_STICKY_QUEUE_TIMEOUT_MS } from '../../workers/worker';
import { answerAsParticipants, chatRequests, mockClients, startMockLlm } from '../helpers/mockLlm';
import { quietRuntime, testEnvironment, uniqueTaskQueue } from '../helpers/testEnv';

/** A user's own activity interceptor: it sees every activity the worker runs, council's included. */
function recordingInterceptor(seen: string[]): ActivityInboundCallsInterceptor {
  return {
    async execute(input, next) {
      seen.push(Context.current().info.activityType);
      return next(input);
    },
  };
}

describe('councilPlugin mounted into a worker the application builds itself', () => {
  let mock: LLMock;
  let connection: NativeConnection;

  beforeAll(async () => {
    quietRuntime();
    mock = await startMockLlm();
    answerAsParticipants(mock);
    connection = await NativeConnection.connect({ address: testEnvironment().address });
  });

  afterAll(async () => {
    await connection?.close();
    await mock?.stop();
  });

  it("serves a session on the application's own queue, with its own interceptors", async () => {
    const env = testEnvironment();
    const taskQueue = uniqueTaskQueue('plugin');
    const intercepted: string[] = [];
    // The application's worker: its queue, its interceptor, council's workflows and activities by plugin
    // (bundled by the worker from council's workflow module, as a user's worker would).
    const worker = await Worker.create({
      connection,
      namespace: env.namespace,
      taskQueue,
      shutdownGraceTime: '1s',
      interceptors: { activity: [() => ({ inbound: recordingInterceptor(intercepted) })] },
      plugins: [councilPlugin({ activities: createLlmActivities(mockClients(mock)) })],
    });
    expect(worker.options.taskQueue).toBe(taskQueue);
    // As on createCouncilWorker's workers: a dead worker's sessions wait 2 s on its sticky queue, not 10 s.
    expect(worker.options.stickyQueueScheduleToStartTimeoutMs).toBe(DEFAULT_STICKY_QUEUE_TIMEOUT_MS);
    // As there too: a broadcast's calls start with the workflow task that schedules them.
    expect(worker.options.maxEagerActivityReservationsPerWorkflowTask).toBe(
      DEFAULT_EAGER_ACTIVITY_RESERVATIONS,
    );
    const running = worker.run();
    const clientConnection = await Connection.connect({ address: env.address });
    try {
      const client = new Client({ connection: clientConnection, namespace: env.namespace });
      const config = { systemPrompt: 'Panel.', strategy: 'broadcast' } as const;
      const session = await MultiParticipantSession.create(client, config, { taskQueue });
      await session.addParticipant('Ada', { provider: 'openai', model: 'gpt-4o-mini' }, 'panelist');
      await session.addParticipant('Bo', { provider: 'anthropic', model: 'claude-sonnet-4-6' }, 'panelist');
      const before = chatRequests(mock).length;
      const responses = await session.sendMessage('user', 'Plugins?');
      expect(responses.map((r) => [r.participantName, r.status])).toEqual([
        ['Ada', 'ok'],
        ['Bo', 'ok'],
      ]);
      expect(responses.map((r) => r.content)).toEqual([
        expect.stringMatching(/^Ada: answer \d+$/),
        expect.stringMatching(/^Bo: answer \d+$/),
      ]);
      // Both calls went over HTTP to the mock, and through the application's interceptor.
      expect(chatRequests(mock).length - before).toBe(2);
      // The worker's provider policy was asked (an activity) before the calls were made.
      expect(intercepted.filter((name) => name === MODEL_CALL_ACTIVITY)).toHaveLength(2);
      expect(intercepted).toContain('checkProviderPolicy');
      await session.close();
    } finally {
      worker.shutdown();
      await running;
      await clientConnection.close();
    }
  });

  it("refuses a worker with a workflow module of its own, naming the fix (council's would replace it)", async () => {
    const create = Worker.create({
      connection,
      namespace: testEnvironment().namespace,
      taskQueue: uniqueTaskQueue('plugin-refuse'),
      workflowsPath: require.resolve('../../workflows/session/workflow'),
      plugins: [councilPlugin({ activities: createLlmActivities(mockClients(mock)) })],
    });
    await expect(create).rejects.toThrow(CouncilUserError);
    await expect(create).rejects.toMatchObject({
      hint: expect.stringContaining('councilPlugin({ workflows: false })'),
    });
  });
});
