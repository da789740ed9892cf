import type { LLMock } from '@copilotkit/aimock';
import { parseJsonDocument } from '../../client/cli/jsonOutput';
import { PROVIDER_POLICY_ENV } from '../../common/policy';
import { answerAsParticipants, startMockLlm } from '../helpers/mockLlm';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';
import { clusterEnv, expectSuccess, mockProviderEnv, runCli, stopStartedClis, writeConfig } from './cli';

// Spawns the CLI with its own worker: a minute on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council run --json of a council with a message webhook', () => {
  let mock: LLMock;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await mock?.stop();
    await receiver?.close();
  });

  it('prints messageWebhook: what was delivered, and the delivery the receiver rejected', async () => {
    const model = { provider: 'openai', model: 'gpt-4o-mini' };
    const config = writeConfig('webhook.json', {
      kind: 'council',
      mode: 'sequential',
      task: 'Should we adopt a four-day work week?',
      enableMessaging: true,
      messageWebhook: { url: `${receiver.url}/council`, maxAttempts: 2 },
      activeExperts: [
        { id: 'a', name: 'Alice', model },
        { id: 'b', name: 'Bob', model },
      ],
      synthesisConfig: { model },
    });
    receiver.respond = (post) => (post.body.message.senderName === 'Bob' ? 422 : 200);
    // The CLI's own worker allows the receiver as a keyless server: the operator's choice, not the config's.
    const policy = { [PROVIDER_POLICY_ENV]: JSON.stringify({ keyless: [receiver.url] }) };
    const result = await runCli(
      ['run', '--config', config, '--worker', '--json'],
      clusterEnv('webhook-json', { ...mockProviderEnv(mock), ...policy }),
    );
    expectSuccess(result);
    const document = parseJsonDocument(JSON.parse(result.stdout));
    if (document.type !== 'council-result') throw new Error(`printed a ${document.type}`);

    const bob = document.messages?.find((message) => message.sender === 'b');
    expect(document.messageWebhook).toEqual({
      delivered: 1,
      failed: 1,
      failures: [{ messageId: bob?.id, error: `webhook ${receiver.url} answered HTTP 422` }],
    });
    expect([...receiver.accepted.values()].map((body) => body.message.sender)).toEqual(['a']);

    // `show` of the finished council says the same in words.
    const shown = await runCli(
      ['show', document.id, '--worker'],
      clusterEnv('webhook-show', mockProviderEnv(mock)),
    );
    expectSuccess(shown);
    expect(shown.stdout).toContain(
      `Message webhook: 1 delivered, 1 failed; message ${bob?.id}: webhook ${receiver.url} answered HTTP 422`,
    );
  });
});
