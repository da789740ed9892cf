/**
 * Records one workflow history per strategy and per council mode into test/fixtures/histories, for the replay test
 * that makes any non-deterministic change to workflow code fail the build. Run after an
 * intentional, patched change with a tag naming it: `npx tsx scripts/record-histories.ts call-ids`
 * writes `session-broadcast.call-ids.json` and so on next to the older recordings, which stay: the
 * new code must replay both. Without a tag the untagged files are rewritten.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { LLMock } from '@copilotkit/aimock';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import OpenAI from 'openai';
import { createLlmActivities } from '../activities';
import { startDevServer } from '../client/devServer';
import { executeCouncilExperts } from '../client/council';
import { MultiParticipantSession } from '../client/session';
import { COUNCIL_MODES, type CouncilMode } from '../common/council';
import { ORCHESTRATION_STRATEGIES, type ParticipantRole } from '../common/participants';
import { createCouncilWorker } from '../workers/worker';

const OUT_DIR = path.resolve(__dirname, '../test/fixtures/histories');
const TASK_QUEUE = 'record-histories';
/** The tag of this recording, from the command line: `session-broadcast.<tag>.json`. */
const TAG = process.argv[2];
if (TAG !== undefined && !/^[a-z0-9-]{1,40}$/.test(TAG)) {
  throw new Error(`tag "${TAG}" must be 1-40 lower-case letters, digits or dashes, e.g. call-ids`);
}
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const members: Array<[string, ParticipantRole, number]> = [
  ['Moderator', 'moderator', 3],
  ['Worker-1', 'worker', 2],
  ['Supervisor', 'supervisor', 1],
  ['Panelist', 'panelist', 5],
  ['Watcher', 'observer', 0],
  ['Judge', 'evaluator', 0],
];

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer();
  const mock = new LLMock({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  mock.on(
    { predicate: () => true },
    { content: 'A recorded answer.', usage: { prompt_tokens: 7, completion_tokens: 3 } },
  );
  await mock.start();
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'recording', maxRetries: 0 });
  const worker = await createCouncilWorker({
    connection: workerConnection,
    taskQueue: TASK_QUEUE,
    activities: createLlmActivities({ openai }),
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    await worker.runUntil(async () => {
      for (const strategy of ORCHESTRATION_STRATEGIES) await recordSession(client, strategy);
      for (const mode of COUNCIL_MODES) await recordCouncil(client, mode);
    });
  } finally {
    await connection.close();
    await workerConnection.close();
    await mock.stop();
    await server.stop();
  }
}

async function recordSession(client: Client, strategy: (typeof ORCHESTRATION_STRATEGIES)[number]) {
  const sessionId = `replay-${strategy}${TAG ? `-${TAG}` : ''}`;
  // The first member comes with the config and the others join by update: both paths are recorded.
  const [first, ...joining] = members;
  const participants = first ? [{ name: first[0], role: first[1], priority: first[2], model }] : [];
  const session = await MultiParticipantSession.create(
    client,
    { strategy, participants },
    { sessionId, taskQueue: TASK_QUEUE },
  );
  for (const [name, role, priority] of joining)
    await session.addParticipantWithPriority(name, model, role, priority);
  await session.sendMessage('user', 'First question');
  await session.removeParticipant('Panelist');
  await session.sendMessage('user', 'Second question');
  await session.close();
  await saveHistory(client, sessionId, `session-${strategy}`);
}

async function recordCouncil(client: Client, mode: CouncilMode) {
  const councilId = `replay-council-${mode}${TAG ? `-${TAG}` : ''}`;
  const experts = ['Analyst', 'Critic', 'Builder'].map((name) => ({
    id: name.toLowerCase(),
    name,
    model,
    canSendMessages: name === 'Critic',
  }));
  await executeCouncilExperts(
    client,
    {
      task: 'Should we adopt a four-day work week?',
      mode,
      activeExperts: experts,
      synthesisConfig: { model },
      enableMessaging: true,
    },
    undefined,
    undefined,
    { councilId, taskQueue: TASK_QUEUE },
  );
  await saveHistory(client, councilId, `council-${mode}`);
}

async function saveHistory(client: Client, workflowId: string, name: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const file = path.join(OUT_DIR, TAG ? `${name}.${TAG}.json` : `${name}.json`);
  writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
  console.log(`recorded ${path.relative(process.cwd(), file)} (${history.events?.length ?? 0} events)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
