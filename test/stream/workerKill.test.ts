import type { LLMock } from '@copilotkit/aimock';
import { Client, Connection } from '@temporalio/client';
import { MultiParticipantSession } from '../../client/api/session';
import type { TokenEvent } from '../../client/api/tokens';
import { panelist } from '../durability/support/temporal';
import { killAllProcesses, startWorkerProcess } from '../durability/support/processes';
import { startMockLlm } from '../helpers/mockLlm';
import { testEnvironment, uniqueTaskQueue } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';

// A worker process is SIGKILLed while its call streams: the watcher sees attempt 1's text, then the
// retried attempt (on a new worker process) start over, then that attempt's text to the end.
const answer = Array.from({ length: 200 }, (_, i) => `step${i}`).join(' ') + '.';
const env = testEnvironment();

jest.setTimeout(180_000);

let mock: LLMock;
let connection: Connection;
beforeAll(async () => {
  mock = await startMockLlm();
  // The first attempt writes slowly (about 13 s), the retry quickly.
  mock.on({ predicate: () => true, sequenceIndex: 0 }, { content: answer }, { chunkSize: 6, latency: 50 });
  mock.on({ predicate: () => true }, { content: answer }, { chunkSize: 6, latency: 10 });
  connection = await Connection.connect({ address: env.address });
});
afterAll(async () => {
  await killAllProcesses();
  await connection?.close();
  await mock?.stop();
});

it('a watcher follows a call through the crash of its worker: the retried attempt starts over', async () => {
  const client = new Client({ connection, namespace: env.namespace });
  const taskQueue = uniqueTaskQueue('stream-kill');
  const worker = (tag: string) =>
    startWorkerProcess({
      address: env.address,
      taskQueue,
      llmUrl: mock.url,
      tag,
      env: { TEMPORAL_NAMESPACE: env.namespace },
    });
  const first = worker('w1');
  await first.ready;
  const session = await MultiParticipantSession.create(
    client,
    { strategy: 'broadcast', participants: [panelist('Crash', 3000)] },
    { taskQueue },
  );
  const events: TokenEvent[] = [];
  const round = session.sendMessage('user', 'Go', { onToken: (event) => events.push(event) });
  await waitFor('some streamed text', () => (events.at(-1)?.text.length ?? 0) > 60, 60_000);
  await first.kill();
  const seenBeforeKill = events.length;
  await worker('w2').ready;
  const [response] = await round;

  expect(response).toMatchObject({ status: 'ok', content: answer });
  const restart = events.findIndex((event) => event.restarted);
  expect(restart).toBeGreaterThanOrEqual(seenBeforeKill);
  expect(events.slice(0, restart).every((event) => event.attempt === 1)).toBe(true);
  expect(events[restart]).toMatchObject({ attempt: 2, text: '', participant: 'Crash' });
  expect(events.slice(restart + 1).some((event) => event.attempt === 2 && event.text.length > 0)).toBe(true);
  for (const event of events) expect(answer.startsWith(event.text)).toBe(true);
});
