import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { FailureType } from '../../common/failures';
import type { RoundResult } from '../../common/session';
import { sendMessageUpdate, transcriptQuery } from '../../common/sessionApi';
import { MultiParticipantSession } from '../../client/api/session';
import { chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { cheapModel, dearModel } from '../helpers/pricedModels';

// Output only is billed: a 1000-token call's worst case is $1 on the dear model, $0.1 on the cheap one.
const NAMES = ['P1', 'P2', 'P3', 'P4'];

describe('onExhausted: downgrade on the real dev server, LLM served by aimock', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  /** Output tokens and model of every answer the mock served, to price against the ledger. */
  const served: Array<{ model: string; output: number }> = [];

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, (request) => {
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      const output = 3 * Number(speaker.slice(1) || 1);
      served.push({ model: request.model, output });
      return { content: `${speaker}: answer`, usage: { prompt_tokens: 5, completion_tokens: output } };
    });
    harness = await startHarness('budget-downgrade', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('the calls that do not fit go to the cheaper model, for the rest of the session; spend stays under the limit', async () => {
    const maxCostUsd = 2.15;
    const session = await MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'broadcast',
        // P1 and P2 hold $2; P3 does not fit at $1 but does at $0.1; P4 fits at neither.
        budget: { maxCostUsd, onExhausted: 'downgrade', downgradeTo: cheapModel },
        participants: NAMES.map((name) => ({
          name,
          role: 'panelist',
          model: dearModel,
          maxOutputTokens: 1000,
          retry: { maximumAttempts: 1 },
        })),
      },
      { taskQueue: harness.taskQueue },
    );
    const handle = harness.client.workflow.getHandle(session.sessionId);
    const first: RoundResult = await handle.executeUpdate(sendMessageUpdate, {
      args: [{ role: 'user', content: 'What is 2 + 2?' }],
    });

    // The mock's journal: P1 and P2 on the dear model, P3 on the cheap one, P4 never called.
    const journal = () => chatRequests(mock).map((e) => [speakerOf(e), (e.body as { model: string }).model]);
    expect(journal()).toEqual([
      ['P1', 'gpt-4o'],
      ['P2', 'gpt-4o'],
      ['P3', 'gpt-4o-mini'],
    ]);
    const byName = new Map(first.responses.map((r) => [r.participantName, r]));
    expect(byName.get('P2')?.downgradedTo).toBeUndefined();
    expect(byName.get('P3')).toMatchObject({ status: 'ok', downgradedTo: 'openai/gpt-4o-mini' });
    expect(byName.get('P4')).toMatchObject({
      status: 'skipped',
      error: { type: FailureType.BudgetExhausted },
    });
    expect(byName.get('P4')?.error?.message).toMatch(/on openai\/gpt-4o-mini/);
    expect(first.budget).toMatchObject({ exhausted: true, downgraded: true, refusedCount: 1 });
    const spentUsd = served.reduce(
      (sum, s) =>
        sum +
        (s.output * (s.model === dearModel.model ? dearModel : cheapModel).price.outputPerMTok) / 1_000_000,
      0,
    );
    expect(first.budget?.spent.usd).toBeCloseTo(spentUsd, 9);
    expect(first.budget?.spent.usd).toBeLessThanOrEqual(maxCostUsd);
    expect(byName.get('P3')?.costUsd).toBeCloseTo((9 * 100) / 1_000_000, 9);
    // The transcript says which answer came from the cheaper model.
    const transcript = await handle.query(transcriptQuery, {});
    expect(transcript.filter((e) => e.downgradedTo).map((e) => [e.from, e.downgradedTo])).toEqual([
      ['P3', 'openai/gpt-4o-mini'],
    ]);
  });

  it('once downgraded, every later call goes to the cheaper model although the dear one would fit again', async () => {
    mock.clearRequests();
    const session = await MultiParticipantSession.create(
      harness.client,
      {
        strategy: 'broadcast',
        // P1 holds $1; P2 cannot have another $1 beside it, but has $0.1 on the cheap model.
        budget: { maxCostUsd: 1.5, onExhausted: 'downgrade', downgradeTo: cheapModel },
        participants: ['P1', 'P2'].map((name) => ({
          name,
          role: 'panelist',
          model: dearModel,
          maxOutputTokens: 1000,
          retry: { maximumAttempts: 1 },
        })),
      },
      { taskQueue: harness.taskQueue },
    );
    const models = () =>
      chatRequests(mock)
        .map((e) => `${speakerOf(e)}:${(e.body as { model: string }).model}`)
        .sort();
    await session.sendMessage('user', 'First?');
    expect(models()).toEqual(['P1:gpt-4o', 'P2:gpt-4o-mini']);
    mock.clearRequests();
    // P1 cost $0.000003 in truth: the dear model would fit again, but the session stays downgraded.
    const second = await session.sendMessage('user', 'Second?');
    expect(models()).toEqual(['P1:gpt-4o-mini', 'P2:gpt-4o-mini']);
    expect(second.map((r) => r.downgradedTo)).toEqual(['openai/gpt-4o-mini', 'openai/gpt-4o-mini']);
    expect((await session.view()).budget).toMatchObject({
      exhausted: false,
      downgraded: true,
      refusedCount: 0,
    });
  });

  it('refuses a downgrade budget without downgradeTo, or whose cheaper model has no price', async () => {
    const participants = [{ name: 'P1', role: 'panelist', model: dearModel, maxOutputTokens: 10 }] as const;
    await expect(
      MultiParticipantSession.create(
        harness.client,
        {
          strategy: 'broadcast',
          budget: { maxCostUsd: 1, onExhausted: 'downgrade' },
          participants: [...participants],
        },
        { taskQueue: harness.taskQueue },
      ),
    ).rejects.toThrow(/onExhausted: downgrade needs downgradeTo/);
    await expect(
      MultiParticipantSession.create(
        harness.client,
        {
          strategy: 'broadcast',
          budget: {
            maxCostUsd: 1,
            onExhausted: 'downgrade',
            downgradeTo: {
              provider: 'openai-compatible',
              model: 'llama3.1:8b',
              baseURL: 'http://127.0.0.1:9/v1',
            },
          },
          participants: [...participants],
        },
        { taskQueue: harness.taskQueue },
      ),
    ).rejects.toThrow(/downgradeTo model openai-compatible\/llama3.1:8b has no known price/);
  });
});
