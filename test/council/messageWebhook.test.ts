import { executeCouncilExperts, startCouncil } from '../../client/council';
import type { CouncilWorkflowResult } from '../../common/council';
import { idempotencyKeyOf } from '../../common/messageWebhook';
import { waitFor } from '../helpers/wait';
import { speakers } from './support';
import { inTranscriptOrder, SECRET, useWebhookBench, webhookCouncil } from './webhookBench';

// The receiver is a real HTTP server and the mock LLM's journal the witness of what the experts said.
describe('the message webhook on the real dev server', () => {
  const bench = useWebhookBench('council-webhook');

  it('POSTs every message to the receiver with no client attached, once per idempotency key', async () => {
    const councilId = `council-webhook-unfollowed-${Date.now()}`;
    // Started, never followed: no client polls the progress log, no messageHandler runs.
    await startCouncil(bench.harness.client, webhookCouncil(bench.receiver.url), {
      taskQueue: bench.harness.taskQueue,
      councilId,
    });
    await waitFor('three messages at the receiver', () => bench.receiver.accepted.size === 3);
    const handle = bench.harness.client.workflow.getHandle(councilId);
    const result = (await handle.result()) as CouncilWorkflowResult;

    expect(speakers(bench.mock).filter((speaker) => speaker.startsWith('Expert'))).toEqual([
      'Expert A',
      'Expert B',
      'Expert C',
    ]);
    const received = inTranscriptOrder(bench.receiver, result);
    expect(received.map((message) => message.content)).toEqual(bench.said);
    expect(received).toEqual(result.messages);
    expect(received[0]?.recipient).toBe('b');
    for (const post of bench.receiver.posts) {
      expect(post.key).toBe(idempotencyKeyOf(councilId, post.body.message.id));
      expect(post.body).toMatchObject({ councilId, idempotencyKey: post.key });
      expect(post.headers.authorization).toBe(SECRET);
      expect(post.headers['content-type']).toBe('application/json');
    }
    expect(bench.receiver.posts).toHaveLength(3);
    expect(result.messageWebhook).toEqual({ delivered: 3, failed: 0, failures: [] });
    // The header's value is read from the worker's env at each attempt: never in the history.
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain(SECRET);
  });

  it('retries a receiver that fails twice; it keeps each message once', async () => {
    bench.receiver.respond = (_post, earlier) => (earlier < 2 ? 503 : 200);
    const result = await executeCouncilExperts(
      bench.harness.client,
      webhookCouncil(bench.receiver.url),
      undefined,
      undefined,
      {
        taskQueue: bench.harness.taskQueue,
      },
    );

    expect(bench.receiver.posts).toHaveLength(9);
    const keys = new Set(bench.receiver.posts.map((post) => post.key));
    expect(keys.size).toBe(3);
    for (const key of keys) {
      const attempts = bench.receiver.posts.filter((post) => post.key === key);
      expect(attempts.map((post) => post.status)).toEqual([503, 503, 200]);
      expect(new Set(attempts.map((post) => JSON.stringify(post.body))).size).toBe(1);
    }
    expect(inTranscriptOrder(bench.receiver, result).map((message) => message.content)).toEqual(bench.said);
    expect(result.messageWebhook).toEqual({ delivered: 3, failed: 0, failures: [] });
  });

  it('records a delivery the receiver rejects as failed, and the council goes on', async () => {
    bench.receiver.respond = (post) => (post.body.message.senderName === 'Expert B' ? 400 : 200);
    const result = await executeCouncilExperts(
      bench.harness.client,
      webhookCouncil(bench.receiver.url),
      undefined,
      undefined,
      {
        taskQueue: bench.harness.taskQueue,
      },
    );

    expect(result.synthesis.status).toBe('done');
    const rejected = result.messages?.find((message) => message.senderName === 'Expert B');
    expect(result.messageWebhook).toEqual({
      delivered: 2,
      failed: 1,
      failures: [{ messageId: rejected?.id, error: `webhook ${bench.receiver.url} answered HTTP 400` }],
    });
    // A rejection (a 4xx other than 408 and 429) is not retried.
    expect(bench.receiver.posts.filter((post) => post.status === 400)).toHaveLength(1);
  });
});
