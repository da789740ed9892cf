import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities, ProviderPolicy } from '../../activities';
import { executeCouncilExperts, startCouncil } from '../../client/council';
import type { ExecutionContext } from '../../client/councilTypes';
import { CouncilUserError } from '../../client/errors';
import type { CouncilWorkflowResult } from '../../common/council';
import { idempotencyKeyOf } from '../../common/messageWebhook';
import { chatRequests, mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';
import { council, expert, jsonAnswer, scriptedCouncil, speakers } from './support';

const SECRET = 'hook-secret-value-0123456789';

/** The messages the receiver accepted, in the transcript's order (deliveries run side by side). */
function inTranscriptOrder(receiver: WebhookReceiver, result: { messages?: Array<{ id: string }> }) {
  const order = (result.messages ?? []).map((message) => message.id);
  const accepted = [...receiver.accepted.values()].map((body) => body.message);
  return accepted.sort((x, y) => order.indexOf(x.id) - order.indexOf(y.id));
}

// The receiver is a real HTTP server and the mock LLM's journal the witness of what the experts said.
describe('the message webhook on the real dev server', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let receiver: WebhookReceiver;
  /** A server the worker's policy does not allow: it must never be called. */
  let forbidden: WebhookReceiver;
  /** What each expert answered, in order, as the script returned it. */
  let said: string[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    forbidden = await startWebhookReceiver();
    mock = await startMockLlm();
    scriptedCouncil(mock, (speaker) => {
      if (!speaker.startsWith('Expert')) return undefined;
      const content = `${speaker} says ${said.length + 1}`;
      said.push(content);
      // Expert A may send messages: its answer is a direct message to B.
      return speaker === 'Expert A' ? jsonAnswer({ content, recipient: 'b' }) : { content };
    });
    const env = { ...process.env, HOOK_TOKEN: SECRET };
    const policy = new ProviderPolicy({ keys: { HOOK_TOKEN: [receiver.url] } }, env);
    harness = await startHarness('council-webhook', createLlmActivities(mockClients(mock), { env, policy }));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
    await receiver?.close();
    await forbidden?.close();
  });
  beforeEach(() => {
    mock.clearRequests();
    said = [];
    receiver.reset();
    forbidden.reset();
  });

  const webhookCouncil = (url: string, extra: Partial<ExecutionContext> = {}) =>
    council('sequential', [expert('a', { canSendMessages: true }), expert('b'), expert('c')], {
      enableMessaging: true,
      messageWebhook: { url: `${url}/hooks/council`, headersEnv: { Authorization: 'HOOK_TOKEN' } },
      ...extra,
    });

  it('POSTs every message to the receiver with no client attached, once per idempotency key', async () => {
    const councilId = `council-webhook-unfollowed-${Date.now()}`;
    // Started, never followed: no client polls the progress log, no messageHandler runs.
    await startCouncil(harness.client, webhookCouncil(receiver.url), {
      taskQueue: harness.taskQueue,
      councilId,
    });
    await waitFor('three messages at the receiver', () => receiver.accepted.size === 3);
    const handle = harness.client.workflow.getHandle(councilId);
    const result = (await handle.result()) as CouncilWorkflowResult;

    expect(speakers(mock).filter((speaker) => speaker.startsWith('Expert'))).toEqual([
      'Expert A',
      'Expert B',
      'Expert C',
    ]);
    const received = inTranscriptOrder(receiver, result);
    expect(received.map((message) => message.content)).toEqual(said);
    expect(received).toEqual(result.messages);
    expect(received[0]?.recipient).toBe('b');
    for (const post of receiver.posts) {
      expect(post.key).toBe(idempotencyKeyOf(councilId, post.body.message.id));
      expect(post.body).toMatchObject({ councilId, idempotencyKey: post.key });
      expect(post.headers.authorization).toBe(SECRET);
      expect(post.headers['content-type']).toBe('application/json');
    }
    expect(receiver.posts).toHaveLength(3);
    expect(result.messageWebhook).toEqual({ delivered: 3, failed: 0, failures: [] });
    // The header's value is read from the worker's env at each attempt: never in the history.
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain(SECRET);
  });

  it('retries a receiver that fails twice; it keeps each message once', async () => {
    receiver.respond = (_post, earlier) => (earlier < 2 ? 503 : 200);
    const result = await executeCouncilExperts(
      harness.client,
      webhookCouncil(receiver.url),
      undefined,
      undefined,
      {
        taskQueue: harness.taskQueue,
      },
    );

    expect(receiver.posts).toHaveLength(9);
    const keys = new Set(receiver.posts.map((post) => post.key));
    expect(keys.size).toBe(3);
    for (const key of keys) {
      const attempts = receiver.posts.filter((post) => post.key === key);
      expect(attempts.map((post) => post.status)).toEqual([503, 503, 200]);
      expect(new Set(attempts.map((post) => JSON.stringify(post.body))).size).toBe(1);
    }
    expect(inTranscriptOrder(receiver, result).map((message) => message.content)).toEqual(said);
    expect(result.messageWebhook).toEqual({ delivered: 3, failed: 0, failures: [] });
  });

  it('records a delivery the receiver rejects as failed, and the council goes on', async () => {
    receiver.respond = (post) => (post.body.message.senderName === 'Expert B' ? 400 : 200);
    const result = await executeCouncilExperts(
      harness.client,
      webhookCouncil(receiver.url),
      undefined,
      undefined,
      {
        taskQueue: harness.taskQueue,
      },
    );

    expect(result.synthesis.status).toBe('done');
    const rejected = result.messages?.find((message) => message.senderName === 'Expert B');
    expect(result.messageWebhook).toEqual({
      delivered: 2,
      failed: 1,
      failures: [{ messageId: rejected?.id, error: `webhook ${receiver.url} answered HTTP 400` }],
    });
    // A rejection (a 4xx other than 408 and 429) is not retried.
    expect(receiver.posts.filter((post) => post.status === 400)).toHaveLength(1);
  });

  it('never follows a redirect: the policy allowed the receiver, not where it points', async () => {
    receiver.respond = () => 307;
    receiver.redirectTo = `${forbidden.url}/stolen`;
    const result = await executeCouncilExperts(
      harness.client,
      webhookCouncil(receiver.url),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue },
    );

    expect(forbidden.posts).toHaveLength(0);
    expect(receiver.posts).toHaveLength(3);
    expect(result.messageWebhook).toMatchObject({ delivered: 0, failed: 3 });
    expect(result.messageWebhook?.failures[0]?.error).toBe(`webhook ${receiver.url} answered HTTP 307`);
    expect(result.synthesis.status).toBe('done');
  });

  it.each([
    [
      'a host the policy does not allow',
      () => webhookCouncil(forbidden.url),
      'this worker does not send HOOK_TOKEN to',
    ],
    [
      'an env var the policy sends nowhere',
      () =>
        webhookCouncil(receiver.url, {
          messageWebhook: { url: receiver.url, headersEnv: { Authorization: 'SECRET_DB_PASSWORD' } },
        }),
      'SECRET_DB_PASSWORD is not a key this worker sends anywhere',
    ],
    [
      'no secret header to a server not listed as keyless',
      () => webhookCouncil(receiver.url, { messageWebhook: { url: receiver.url } }),
      'this worker calls no keyless server at',
    ],
  ])('refuses %s before any expert is called', async (_what, context, rule) => {
    const run = executeCouncilExperts(harness.client, context(), undefined, undefined, {
      taskQueue: harness.taskQueue,
    });

    await expect(run).rejects.toThrow(CouncilUserError);
    await expect(run).rejects.toThrow(rule);
    await expect(run).rejects.toThrow(/^messageWebhook http:\/\/127\.0\.0\.1:\d+\S*: provider policy: /);
    await expect(run).rejects.toThrow('COUNCIL_PROVIDER_POLICY');
    expect(chatRequests(mock)).toHaveLength(0);
    expect(forbidden.posts).toHaveLength(0);
    expect(receiver.posts).toHaveLength(0);
  });

  it('refuses a webhook on a council without messaging, naming the field', async () => {
    const context = webhookCouncil(receiver.url, { enableMessaging: false });
    await expect(startCouncil(harness.client, context, { taskQueue: harness.taskQueue })).rejects.toThrow(
      'messageWebhook: messageWebhook delivers messages: set "enableMessaging": true',
    );
  });
});
