/**
 * Records one workflow history per strategy and per council mode into test/fixtures/histories, for the replay test
 * that makes any non-deterministic change to workflow code fail the build, plus a council with peer
 * review (`council-peer-review`), a re-synthesis of one with a re-ranking (`council-resynthesis`)
 * a parallel council whose round closes at a quorum of two while Builder is still answering
 * (`council-quorum`), a parallel council cancelled while its experts answer (`council-cancelled`),
 * a debate that stops at consensus in its second of three rounds (`council-convergence`), one that
 * votes first and agrees at once (`council-vote-first`), and a budgeted broadcast that downgrades one
 * call and refuses another (`session-budget`), and one whose `ask` budget waits for a raise
 * (`session-budget-ask`).
 * Run after an
 * intentional, patched change with a tag naming it: `npx tsx scripts/record-histories.ts call-ids`
 * writes `session-broadcast.call-ids.json` and so on next to the older recordings, which stay: the
 * new code must replay both. Without a tag the untagged files are rewritten (all, or the `--only` one).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { LLMock, type ChatCompletionRequest } from '@copilotkit/aimock';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import OpenAI from 'openai';
import { createLlmActivities } from '../activities';
import { startDevServer } from '../client/devServer';
import { executeCouncilExperts, startCouncil } from '../client/council';
import { resynthesizeCouncil } from '../client/resynthesize';
import { simulatedAnswer } from '../client/simulated';
import { MultiParticipantSession } from '../client/session';
import { COUNCIL_MODES, type CouncilMode } from '../common/council';
import { ORCHESTRATION_STRATEGIES, type ParticipantRole } from '../common/participants';
import { createCouncilWorker } from '../workers/worker';
import { recordBudget, recordBudgetAsk } from './recordBudgetHistories';

const OUT_DIR = path.resolve(__dirname, '../test/fixtures/histories');
const TASK_QUEUE = 'record-histories';
/**
 * The tag of this recording, from the command line: `session-broadcast.<tag>.json`; `--only NAME`
 * records that one history alone (e.g. `--only session-selector` for a strategy added later).
 */
const ARGS = process.argv.slice(2);
const ONLY_AT = ARGS.indexOf('--only');
const ONLY = ONLY_AT >= 0 ? ARGS[ONLY_AT + 1] : undefined;
const TAG = ARGS.find((arg, i) => !arg.startsWith('--') && (ONLY_AT < 0 || i !== ONLY_AT + 1));
if (TAG !== undefined && !/^[a-z0-9-]{1,40}$/.test(TAG)) {
  throw new Error(`tag "${TAG}" must be 1-40 lower-case letters, digits or dashes, e.g. call-ids`);
}
const wanted = (name: string) => ONLY === undefined || name === ONLY;
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
  // The selector names Supervisor: a pick when Supervisor is a candidate, a fallback when it just spoke.
  mock.on(
    { predicate: (request) => JSON.stringify(request.messages).includes('You choose who speaks next') },
    { content: 'Supervisor', usage: { prompt_tokens: 5, completion_tokens: 1 } },
  );
  mock.on({ predicate: () => true }, async (request) => {
    // In the quorum council Builder straggles: the round closes without it and its answer is late.
    if (JSON.stringify(request.messages).includes(QUORUM_TASK) && speaksAs(request, 'Builder'))
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    // The cancelled council's experts are held until it is cancelled.
    if (JSON.stringify(request.messages).includes(CANCELLED_TASK)) {
      held += 1;
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
    return { content: recordedAnswer(request), usage: { prompt_tokens: 7, completion_tokens: 3 } };
  });
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
      for (const strategy of ORCHESTRATION_STRATEGIES)
        if (wanted(`session-${strategy}`)) await recordSession(client, strategy);
      for (const mode of COUNCIL_MODES) if (wanted(`council-${mode}`)) await recordCouncil(client, mode);
      if (wanted('council-peer-review')) await recordCouncil(client, 'parallel', 'peer-review');
      if (wanted('council-resynthesis')) await recordResynthesis(client);
      if (wanted('council-quorum')) await recordCouncil(client, 'parallel', 'quorum');
      if (wanted('council-cancelled')) await recordCancelledCouncil(client);
      if (wanted('council-convergence')) await recordCouncil(client, 'adversarial', 'convergence');
      if (wanted('council-vote-first')) await recordCouncil(client, 'adversarial', 'vote-first');
      if (wanted('session-budget')) await recordBudget(client, TASK_QUEUE, TAG, saveHistory);
      if (wanted('session-budget-ask')) await recordBudgetAsk(client, TASK_QUEUE, TAG, saveHistory);
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
    { strategy, participants, ...(strategy === 'selector' && { selector: { model, maxTurns: 3 } }) },
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

/**
 * What the mock answers: a fixed text; for a supervisor's assignment a task for Worker-1 alone (the
 * others fall back to the message: both paths are recorded); for a peer reviewer a ranking (the
 * simulated one), except Builder's first: unreadable, so the recording holds a retry too.
 */
function recordedAnswer(request: ChatCompletionRequest): string {
  if (JSON.stringify(request.messages).includes('assign one task to each worker'))
    return 'Worker-1: List three facts about the question.';
  const stance = recordedStance(request);
  if (stance !== undefined) return `A recorded answer.\nSTANCE: {"position": "${stance}", "confidence": 0.9}`;
  const system = request.messages.find((m) => m.role === 'system')?.content;
  if (typeof system !== 'string' || !system.includes('taking part as a reviewer'))
    return 'A recorded answer.';
  const retry = request.messages.some((m) => m.role === 'assistant');
  return speaksAs(request, 'Builder') && !retry ? 'No ranking today.' : simulatedAnswer(request);
}

/**
 * The stance of a debate's position turn (its prompt asks for one): in round 1 Critic disagrees
 * (agreement 2 of 3, under the 0.67 threshold), in round 3 (debate round 2) everyone agrees.
 */
function recordedStance(request: ChatCompletionRequest): string | undefined {
  const prompt = JSON.stringify(request.messages);
  if (!prompt.includes('End your answer with one line: STANCE')) return undefined;
  return prompt.includes('## Your turn (round 1)') && speaksAs(request, 'Critic')
    ? 'keep five days'
    : 'adopt it';
}

/** The task of the quorum council, by which the mock knows to hold Builder's answer. */
const QUORUM_TASK = 'Should we adopt a four-day work week? Answer within the deadline.';

function speaksAs(request: ChatCompletionRequest, name: string): boolean {
  const system = request.messages.find((m) => m.role === 'system')?.content;
  return typeof system === 'string' && system.startsWith(`You are ${name},`);
}

/** Runs a council and saves its history (unless `save` is false); returns its id. */
async function recordCouncil(
  client: Client,
  mode: CouncilMode,
  variant?: 'peer-review' | 'quorum' | 'convergence' | 'vote-first',
  save = true,
) {
  const name = variant ? `council-${variant}` : `council-${mode}`;
  const councilId = `replay-${name}${TAG ? `-${TAG}` : ''}${save ? '' : '-source'}`;
  const experts = ['Analyst', 'Critic', 'Builder'].map((name) => ({
    id: name.toLowerCase(),
    name,
    model,
    canSendMessages: name === 'Critic',
  }));
  await executeCouncilExperts(
    client,
    {
      task: variant === 'quorum' ? QUORUM_TASK : 'Should we adopt a four-day work week?',
      mode,
      activeExperts: experts,
      synthesisConfig: { model },
      enableMessaging: true,
      ...(variant === 'peer-review' && { peerReview: { rubric: 'Prefer concrete advice.' } }),
      // The quorum closes the round first: the deadline's timer is started and then cancelled.
      ...(variant === 'quorum' && { quorum: 2, deadlineMs: 60_000 }),
      ...(variant === 'convergence' && { debateRounds: 3, convergence: { threshold: 0.67 } }),
      // Critic's opening differs (2 of 3 agree, the threshold is 0.6): the vote ends it at once.
      ...(variant === 'vote-first' && { debateRounds: 3, convergence: { threshold: 0.6, voteFirst: true } }),
    },
    undefined,
    undefined,
    { councilId, taskQueue: TASK_QUEUE },
  );
  if (save) await saveHistory(client, councilId, name);
  return councilId;
}

const CANCELLED_TASK = 'Should we adopt a four-day work week? This council is cancelled.';
/** Requests of the cancelled council the mock holds. */
let held = 0;

/** A parallel council of two experts, cancelled once both calls are in flight. */
async function recordCancelledCouncil(client: Client) {
  const experts = ['Analyst', 'Critic'].map((name) => ({ id: name.toLowerCase(), name, model }));
  const context = { task: CANCELLED_TASK, mode: 'parallel' as const, activeExperts: experts };
  const councilId = `replay-council-cancelled${TAG ? `-${TAG}` : ''}`;
  await startCouncil(
    client,
    { ...context, synthesisConfig: { model } },
    { councilId, taskQueue: TASK_QUEUE },
  );
  for (let i = 0; i < 100 && held < experts.length; i += 1) await new Promise((r) => setTimeout(r, 100));
  const handle = client.workflow.getHandle(councilId);
  await handle.cancel();
  await handle.result().catch(() => undefined);
  await saveHistory(client, councilId, 'council-cancelled');
}

/** A parallel council (not saved), then its re-synthesis with a re-ranking and another synthesizer. */
async function recordResynthesis(client: Client) {
  const sourceId = await recordCouncil(client, 'parallel', undefined, false);
  const councilId = `replay-council-resynthesis${TAG ? `-${TAG}` : ''}`;
  await resynthesizeCouncil(client, sourceId, {
    councilId,
    taskQueue: TASK_QUEUE,
    synthesizer: { name: 'Chairman' },
    peerReview: { rubric: 'Prefer the shortest answer.' },
  });
  await saveHistory(client, councilId, 'council-resynthesis');
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
