import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities, ProviderPolicy } from '../../activities';
import type { ExecutionContext } from '../../client/api/councilTypes';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';
import { council, expert, jsonAnswer, scriptedCouncil } from './support';

/** The value of HOOK_TOKEN in the worker's env: sent as the webhook's Authorization header. */
export const SECRET = 'hook-secret-value-0123456789';

/** What the message webhook tests of one describe block share; filled in before its first test. */
export interface WebhookBench {
  mock: LLMock;
  harness: TemporalTestHarness;
  /** Allowed by the worker's policy: HOOK_TOKEN may be sent to it. */
  receiver: WebhookReceiver;
  /** A server the worker's policy does not allow: it must never be called. */
  forbidden: WebhookReceiver;
  /** What each expert answered, in order, as the script returned it. */
  said: string[];
}

/**
 * Call inside a describe block: two real HTTP receivers, the mock LLM (each expert says "NAME says
 * N"; Expert A's answer is a direct message to B) and a worker whose policy lets HOOK_TOKEN go to
 * the receiver only. Before each test, the journal, the receivers and `said` start afresh.
 */
export function useWebhookBench(label: string): WebhookBench {
  const bench = { said: [] as string[] } as WebhookBench;
  beforeAll(async () => {
    bench.receiver = await startWebhookReceiver();
    bench.forbidden = await startWebhookReceiver();
    bench.mock = await startMockLlm();
    scriptedCouncil(bench.mock, (speaker) => {
      if (!speaker.startsWith('Expert')) return undefined;
      const content = `${speaker} says ${bench.said.length + 1}`;
      bench.said.push(content);
      return speaker === 'Expert A' ? jsonAnswer({ content, recipient: 'b' }) : { content };
    });
    const env = { ...process.env, HOOK_TOKEN: SECRET };
    const policy = new ProviderPolicy({ keys: { HOOK_TOKEN: [bench.receiver.url] } }, env);
    const activities = createLlmActivities(mockClients(bench.mock), { env, policy });
    bench.harness = await startHarness(label, activities);
  });
  afterAll(async () => {
    await bench.harness?.close();
    await bench.mock?.stop();
    await bench.receiver?.close();
    await bench.forbidden?.close();
  });
  beforeEach(() => {
    bench.mock.clearRequests();
    bench.said.length = 0;
    bench.receiver.reset();
    bench.forbidden.reset();
  });
  return bench;
}

/** A sequential council of A (who may send messages), B and C, whose messages go to `url` with HOOK_TOKEN. */
export function webhookCouncil(url: string, extra: Partial<ExecutionContext> = {}): ExecutionContext {
  return council('sequential', [expert('a', { canSendMessages: true }), expert('b'), expert('c')], {
    enableMessaging: true,
    messageWebhook: { url: `${url}/hooks/council`, headersEnv: { Authorization: 'HOOK_TOKEN' } },
    ...extra,
  });
}

/** The messages the receiver accepted, in the transcript's order (deliveries run side by side). */
export function inTranscriptOrder(receiver: WebhookReceiver, result: { messages?: Array<{ id: string }> }) {
  const order = (result.messages ?? []).map((message) => message.id);
  const accepted = [...receiver.accepted.values()].map((body) => body.message);
  return accepted.sort((x, y) => order.indexOf(x.id) - order.indexOf(y.id));
}
