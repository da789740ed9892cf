/**
 * Records one workflow history per strategy and per council mode into test/fixtures/histories, for the replay test
 * that makes any non-deterministic change to workflow code fail the build, plus a council with peer
 * review (`council-peer-review`), a re-synthesis of one with a re-ranking (`council-resynthesis`)
 * a parallel council whose round closes at a quorum of two while Builder is still answering
 * (`council-quorum`), a parallel council whose Builder straggles past `hedge.afterMs` and is answered by
 * its backup (`council-hedge`), the same whose quorum closes the round before Builder's hedge timer
 * fires (`council-hedge-quorum`), one whose Builder has its own hedge, in place of the council's
 * (`council-expert-hedge`), a parallel council cancelled while its experts answer (`council-cancelled`),
 * a debate that stops at consensus in its second of three rounds (`council-convergence`), one that
 * votes first and agrees at once (`council-vote-first`), the seed's turn-by-turn debate
 * (`council-turn-debate`), a council that goes on from another's conversation (`council-continued`),
 * a budgeted broadcast that downgrades one call and refuses another (`session-budget`), one whose
 * `ask` budget waits for a raise (`session-budget-ask`), a parallel council whose budget downgrades
 * Builder and the synthesis (`council-budget`), a debate whose `stop` budget runs out in its second
 * round (`council-budget-debate`), a
 * sequential council with roles and a group where Critic sends an urgent message to the group
 * (`council-routing`), a broadcast session whose first round closes at a quorum of two while
 * Builder is still answering (`session-quorum`), and a sequential council whose messages go to a
 * webhook, one retried and one rejected (`council-webhook`), two runs under a schedule's period
 * budget, one granted and one granted nothing, with the keeper's history (`session-period-budget`,
 * `session-period-spent`, `budget-keeper`), and a parallel council whose Critic and hedged Builder
 * are skipped by a person while their calls are held (`council-skip`), two councils under a
 * schedule's period budget, one granted and one granted nothing (`council-period-budget`,
 * `council-period-spent`), a one-round debate that waits for a person between its rounds,
 * answered once (`council-human-wait`), and a roundRobin session with participants called as local
 * activities (`session-local-call`), a broadcast session cancelled mid-round (`session-cancelled`),
 * and a parallel council whose every expert is refused, so it ends with no conclusion
 * (`council-no-conclusion`).
 * Run after an
 * intentional, patched change with a tag naming it: `npx tsx scripts/record-histories.ts call-ids`
 * writes `session-broadcast.call-ids.json` and so on next to the older recordings, which stay: the
 * new code must replay both. Without a tag the untagged files are rewritten (all, or the `--only` one).
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import OpenAI from 'openai';
import { createLlmActivities, ProviderPolicy } from '../activities';
import { startDevServer } from '../client/runtime/devServer';
import { COUNCIL_MODES } from '../common/council';
import { ORCHESTRATION_STRATEGIES } from '../common/participants';
import { createCouncilWorker } from '../workers/worker';
import {
  recordBudget,
  recordBudgetAsk,
  recordCouncilBudget,
  recordCouncilBudgetDebate,
} from './histories/budget';
import { startRecordingMock } from './histories/mock';
import { recordLocalCall } from './histories/localCall';
import { recordSessionQuorum } from './histories/sessionQuorum';
import { recordSkippedCouncil } from './histories/skip';
import { recordCancelledSession } from './histories/cancelledSession';
import { recordHumanWaitCouncil } from './histories/humanWait';
import { recordNoConclusionCouncil } from './histories/noConclusion';
import {
  recordCancelledCouncil,
  recordContinuation,
  recordCouncil,
  recordResynthesis,
  recordSession,
  TASK_QUEUE,
  type Recording,
} from './histories/record';
import { recordWebhookCouncil, startRecordingReceiver } from './histories/webhook';
import { recordCouncilPeriodBudget, recordPeriodBudget } from './histories/periodBudget';

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

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer();
  const { mock, held } = await startRecordingMock();
  const receiver = await startRecordingReceiver();
  // The webhook council's receiver takes no key: the worker lists it as a keyless server.
  const policy = new ProviderPolicy({ keyless: [receiver.url] }, process.env);
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'recording', maxRetries: 0 });
  const worker = await createCouncilWorker({
    connection: workerConnection,
    taskQueue: TASK_QUEUE,
    activities: createLlmActivities({ openai }, { policy }),
  });
  const connection = await Connection.connect({ address: server.address });
  const recording: Recording = { client: new Client({ connection }), tag: TAG, held };
  try {
    await worker.runUntil(async () => {
      await recordWanted(recording);
      if (wanted('council-webhook')) await recordWebhookCouncil(recording, receiver);
    });
  } finally {
    await connection.close();
    await workerConnection.close();
    await mock.stop();
    await receiver.close();
    await server.stop();
  }
}

/** Every history the command line asks for (all by default), one after another. */
async function recordWanted(recording: Recording): Promise<void> {
  for (const strategy of ORCHESTRATION_STRATEGIES)
    if (wanted(`session-${strategy}`)) await recordSession(recording, strategy);
  for (const mode of COUNCIL_MODES) if (wanted(`council-${mode}`)) await recordCouncil(recording, mode);
  if (wanted('council-peer-review')) await recordCouncil(recording, 'parallel', 'peer-review');
  if (wanted('council-resynthesis')) await recordResynthesis(recording);
  if (wanted('council-continued')) await recordContinuation(recording);
  if (wanted('council-quorum')) await recordCouncil(recording, 'parallel', 'quorum');
  if (wanted('council-hedge')) await recordCouncil(recording, 'parallel', 'hedge');
  if (wanted('council-hedge-quorum')) await recordCouncil(recording, 'parallel', 'hedge-quorum');
  if (wanted('council-expert-hedge')) await recordCouncil(recording, 'parallel', 'expert-hedge');
  if (wanted('council-cancelled')) await recordCancelledCouncil(recording);
  if (wanted('council-convergence')) await recordCouncil(recording, 'adversarial', 'convergence');
  if (wanted('council-vote-first')) await recordCouncil(recording, 'adversarial', 'vote-first');
  if (wanted('council-turn-debate')) await recordCouncil(recording, 'adversarial', 'turn-debate');
  if (wanted('session-budget')) await recordBudget(recording);
  if (wanted('session-budget-ask')) await recordBudgetAsk(recording);
  if (wanted('council-budget')) await recordCouncilBudget(recording);
  if (wanted('council-budget-debate')) await recordCouncilBudgetDebate(recording);
  if (wanted('council-routing')) await recordCouncil(recording, 'sequential', 'routing');
  if (wanted('session-quorum')) await recordSessionQuorum(recording);
  if (wanted('session-period-budget')) await recordPeriodBudget(recording);
  if (wanted('council-skip')) await recordSkippedCouncil(recording);
  if (wanted('council-period-budget')) await recordCouncilPeriodBudget(recording);
  if (wanted('council-human-wait')) await recordHumanWaitCouncil(recording);
  if (wanted('session-local-call')) await recordLocalCall(recording);
  if (wanted('session-cancelled')) await recordCancelledSession(recording);
  if (wanted('council-no-conclusion')) await recordNoConclusionCouncil(recording);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
