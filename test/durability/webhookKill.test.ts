import { startCouncil } from '../../client/api/council';
import type { CouncilWorkflowResult } from '../../common/council';
import { PROVIDER_POLICY_ENV } from '../../common/policy';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';
import { council, expert } from '../council/support';
import { useDurableEnvironment } from './support/environment';
import { startWorkerProcess, waitFor } from './support/processes';

describe('a worker process SIGKILLed while it delivers a message to the webhook', () => {
  const environment = useDurableEnvironment({ latencyMs: 50 });
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('loses no message: the delivery is made again by the next worker, under the same key', async () => {
    const { server, client, mock } = environment;
    const taskQueue = 'durability-webhook-kill';
    // The first POST is held until the worker that made it is dead: it is certainly in flight then.
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const arrived: string[] = [];
    receiver.respond = async (post) => {
      arrived.push(post.key);
      if (arrived.length === 1) await gate;
      return 200;
    };
    // The receiver takes no key: the workers' policy lists it as a keyless server.
    const env = { [PROVIDER_POLICY_ENV]: JSON.stringify({ keyless: [receiver.url] }) };
    const worker = (tag: string) =>
      startWorkerProcess({ address: server.address, taskQueue, llmUrl: mock.url, tag, env });
    const first = worker('worker-1');
    await first.ready;
    const councilId = `durability-webhook-${Date.now()}`;
    const context = council('sequential', [expert('a'), expert('b')], {
      enableMessaging: true,
      messageWebhook: { url: `${receiver.url}/council`, timeoutMs: 2_000 },
    });
    // Started and never followed: the deliveries owe nothing to a client.
    await startCouncil(client, context, { taskQueue, councilId });
    await waitFor('the first delivery to reach the receiver', () => arrived.length >= 1, 60_000);
    const heldKey = arrived[0];

    await first.kill();
    release();
    const second = worker('worker-2');
    await second.ready;
    const result = (await client.workflow.getHandle(councilId).result()) as CouncilWorkflowResult;

    const ids = (result.messages ?? []).map((message) => message.id);
    expect(ids).toHaveLength(2);
    expect([...receiver.accepted.values()].map((body) => body.message.id).sort()).toEqual([...ids].sort());
    // The held delivery was made again, under the same key: the receiver kept it once.
    expect(arrived.filter((key) => key === heldKey)).toHaveLength(2);
    expect(new Set(receiver.posts.map((post) => post.key)).size).toBe(2);
    expect(result.messageWebhook).toEqual({ delivered: 2, failed: 0, failures: [] });
  });
});
