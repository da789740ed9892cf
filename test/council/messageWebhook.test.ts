import { executeCouncilExperts, sendHumanMessage, startCouncil } from '../../client/api/council';
import type { CouncilWorkflowResult } from '../../common/council';
import { councilProgressQuery } from '../../common/councilApi';
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

  it("delivers a person's message too, sent to a council no client follows", async () => {
    const councilId = `council-webhook-person-${Date.now()}`;
    // Parallel: one round, then the wait for a person (sequential waits after each expert's round).
    const context = webhookCouncil(bench.receiver.url, {
      mode: 'parallel',
      awaitHumanBetweenRounds: { timeoutMs: 3_600_000 },
    });
    await startCouncil(bench.harness.client, context, { taskQueue: bench.harness.taskQueue, councilId });
    const handle = bench.harness.client.workflow.getHandle(councilId);
    await waitFor('the council to wait for a person', async () => {
      const progress = await handle.query(councilProgressQuery, { fromEvent: 0, maxEvents: 1 });
      return progress.status === 'awaiting-human';
    });
    const sent = await sendHumanMessage(bench.harness.client, councilId, { content: 'Mind the budget.' });
    const result = (await handle.result()) as CouncilWorkflowResult;

    const received = inTranscriptOrder(bench.receiver, result);
    // The experts answer side by side: their order is the transcript's, not the script's.
    expect(received.map((message) => message.content).sort()).toEqual(
      [...bench.said, 'Mind the budget.'].sort(),
    );
    expect(received.at(-1)).toMatchObject({ id: sent.id, sender: 'human', type: 'clarification' });
    expect(result.messageWebhook).toEqual({ delivered: 4, failed: 0, failures: [] });
  });
});
