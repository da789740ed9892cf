import { executeCouncilExperts } from '../../client/api/council';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/helpers/webhookReceiver';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/**
 * The receiver of the recorded webhook council: it refuses Analyst's message once (503, so the
 * history holds a retried delivery) and rejects Critic's (400, so it holds a failed one, which the
 * council records and goes on).
 */
export async function startRecordingReceiver(): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver();
  receiver.respond = (post, earlier) => {
    if (post.body.message.senderName === 'Critic') return 400;
    return post.body.message.senderName === 'Analyst' && earlier === 0 ? 503 : 200;
  };
  return receiver;
}

/**
 * A sequential council with messaging whose every message is POSTed to `receiver` (which the
 * recording worker's policy lists as keyless): one delivery retried, one rejected, one delivered.
 */
export async function recordWebhookCouncil(recording: Recording, receiver: WebhookReceiver) {
  const councilId = `replay-council-webhook${idSuffix(recording)}`;
  const experts = ['Analyst', 'Critic', 'Builder'].map((name) => ({
    id: name.toLowerCase(),
    name,
    model,
    canSendMessages: name === 'Critic',
  }));
  const result = await executeCouncilExperts(
    recording.client,
    {
      task: 'Should we adopt a four-day work week? Every message goes to the webhook.',
      mode: 'sequential',
      activeExperts: experts,
      synthesisConfig: { model },
      enableMessaging: true,
      messageWebhook: { url: `${receiver.url}/council`, maxAttempts: 3, timeoutMs: 5_000 },
    },
    undefined,
    undefined,
    { councilId, taskQueue: TASK_QUEUE },
  );
  const outcome = result.messageWebhook;
  if (outcome?.delivered !== 2 || outcome.failed !== 1) {
    throw new Error(`the webhook council should deliver 2 messages and fail 1: ${JSON.stringify(outcome)}`);
  }
  await saveHistory(recording, councilId, 'council-webhook');
}
