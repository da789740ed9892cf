import { MockActivityEnvironment } from '@temporalio/testing';
import { createLlmActivities, ProviderPolicy } from '../../activities';
import { executeCouncilExperts, startCouncil } from '../../client/api/council';
import { FailureType } from '../../common/failures';
import { CouncilUserError } from '../../common/userError';
import { chatRequests, mockClients } from '../helpers/mockLlm';
import { SECRET, useWebhookBench, webhookCouncil } from './webhookBench';

// Where a webhook may send a council's messages is the worker's provider policy, never the config.
describe("the message webhook under the worker's provider policy", () => {
  const bench = useWebhookBench('council-webhook-policy');

  it('never follows a redirect: the policy allowed the receiver, not where it points', async () => {
    bench.receiver.respond = () => 307;
    bench.receiver.redirectTo = `${bench.forbidden.url}/stolen`;
    const result = await executeCouncilExperts(
      bench.harness.client,
      webhookCouncil(bench.receiver.url),
      undefined,
      undefined,
      { taskQueue: bench.harness.taskQueue },
    );

    expect(bench.forbidden.posts).toHaveLength(0);
    expect(bench.receiver.posts).toHaveLength(3);
    expect(result.messageWebhook).toMatchObject({ delivered: 0, failed: 3 });
    expect(result.messageWebhook?.failures[0]?.error).toBe(`webhook ${bench.receiver.url} answered HTTP 307`);
    expect(result.synthesis.status).toBe('done');
  });

  it.each([
    [
      'a host the policy does not allow',
      () => webhookCouncil(bench.forbidden.url),
      'this worker does not send HOOK_TOKEN to',
    ],
    [
      'an env var the policy sends nowhere',
      () =>
        webhookCouncil(bench.receiver.url, {
          messageWebhook: { url: bench.receiver.url, headersEnv: { Authorization: 'SECRET_DB_PASSWORD' } },
        }),
      'SECRET_DB_PASSWORD is not a key this worker sends anywhere',
    ],
    [
      'no secret header to a server not listed as keyless',
      () => webhookCouncil(bench.receiver.url, { messageWebhook: { url: bench.receiver.url } }),
      'this worker calls no keyless server at',
    ],
  ])('refuses %s before any expert is called', async (_what, context, rule) => {
    const run = executeCouncilExperts(bench.harness.client, context(), undefined, undefined, {
      taskQueue: bench.harness.taskQueue,
    });

    await expect(run).rejects.toThrow(CouncilUserError);
    await expect(run).rejects.toThrow(rule);
    await expect(run).rejects.toThrow(/^messageWebhook http:\/\/127\.0\.0\.1:\d+\S*: provider policy: /);
    await expect(run).rejects.toThrow('COUNCIL_PROVIDER_POLICY');
    expect(chatRequests(bench.mock)).toHaveLength(0);
    expect(bench.forbidden.posts).toHaveLength(0);
    expect(bench.receiver.posts).toHaveLength(0);
  });

  it('refuses a webhook on a council without messaging, naming the field', async () => {
    const context = webhookCouncil(bench.receiver.url, { enableMessaging: false });
    await expect(
      startCouncil(bench.harness.client, context, { taskQueue: bench.harness.taskQueue }),
    ).rejects.toThrow('messageWebhook: messageWebhook delivers messages: set "enableMessaging": true');
  });

  it('refuses in the delivery activity too: a council that skipped the check at start gains nothing', async () => {
    const env = { HOOK_TOKEN: SECRET };
    const { deliverMessage } = createLlmActivities(mockClients(bench.mock), {
      env,
      policy: new ProviderPolicy({}, env),
    });
    const message = {
      id: 'm1',
      sender: 'a',
      senderName: 'A',
      content: 'hi',
      timestamp: '',
      type: 'response' as const,
    };
    const delivery = {
      webhook: { url: bench.forbidden.url, headersEnv: { Authorization: 'HOOK_TOKEN' } },
      body: { councilId: 'c1', idempotencyKey: 'c1/m1', message },
    };

    await expect(new MockActivityEnvironment().run(deliverMessage, delivery)).rejects.toMatchObject({
      type: FailureType.ProviderPolicyRefused,
      nonRetryable: true,
    });
    expect(bench.forbidden.posts).toHaveLength(0);
  });
});
