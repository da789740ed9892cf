import type { LLMock } from '@copilotkit/aimock';
import type { Client } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts, startCouncil } from '../../client/api/council';
import { COUNCIL_RUN_LIMITS } from '../../workflows/council/turnShares';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { allRuns, historyReader, unlessStuck } from '../session/sizeSupport';
import { council, expert, userPrompt } from './support';
import { estimateCouncil } from '../../client/cli/councilEstimate';
import { pricedMini } from '../helpers/pricedModels';

// Twenty rounds of four experts write tens of megabytes to the dev server: minutes on a busy machine.
jest.setTimeout(600_000);

/** 10 KB of words per answer: realistic for a long model answer, and all of it kept in the transcript. */
const answer = (speaker: string) => `${speaker}: ${'evidence '.repeat(1100)}`;

describe("a long debate's history stays bounded: the server terminates a run past 50 MB", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let reader: Client;
  let calls = 0;
  const lastPrompt = new Map<string, string>();

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, (request) => {
      const speaker = speakerOf({ body: request }) ?? 'Synthesizer';
      calls += 1;
      // The mock's journal keeps no body past its first few megabytes: each speaker's last prompt is kept here.
      lastPrompt.set(speaker, userPrompt(request));
      // Usage at its most: a token for every byte of the prompt, and every output token a budget allows.
      const messages = (request.messages ?? []) as Array<{ content?: unknown }>;
      const promptBytes = messages.reduce(
        (sum, m) => sum + Buffer.byteLength(typeof m.content === 'string' ? m.content : '') + 4,
        3,
      );
      return { content: answer(speaker), usage: { prompt_tokens: promptBytes, completion_tokens: 4000 } };
    });
    harness = await startHarness('council-run-history', createLlmActivities(mockClients(mock)));
    reader = await historyReader();
  });
  afterAll(async () => {
    await harness?.close();
    await reader?.connection.close();
    await mock?.stop();
  });

  it('20 rounds of 4 experts answering 10 KB: every turn answered, one run well under the limit', async () => {
    const councilId = `council-run-history-${Date.now()}`;
    const experts = ['a', 'b', 'c', 'd'].map((id) => expert(id));
    const handle = harness.client.workflow.getHandle(councilId);
    const running = executeCouncilExperts(
      harness.client,
      council('adversarial', experts, { debateRounds: 20, enableMessaging: true }),
      undefined,
      undefined,
      { councilId, taskQueue: harness.taskQueue },
    );
    const result = await unlessStuck(reader, handle, running).finally(async () => {
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.terminate('council run history test cleanup');
    });
    expect(result.failedExperts).toEqual([]);
    expect(result.synthesis.status).toBe('done');
    // A position and a critique a round from each expert, then the synthesis.
    expect(calls).toBe(20 * 2 * 4 + 1);
    // Late turns were shown a fitted history, and the result says exactly what each prompt held.
    const lastOfA = lastPrompt.get('Expert A') ?? '';
    expect(lastOfA).toContain("a council's prompts share a bounded history");
    const shown = result.conversationContext?.a?.conversationHistory ?? '';
    expect(shown).toContain('shortened to');
    expect(lastOfA).toContain(shown);
    const [run, ...more] = await allRuns(reader, councilId);
    expect(more).toEqual([]);
    expect(run?.workflowTaskFailures).toEqual([]);
    const bound = COUNCIL_RUN_LIMITS.promptBytes + COUNCIL_RUN_LIMITS.answerBytes + 8 * 1024 * 1024;
    expect(run?.bytes).toBeLessThan(bound);
    console.log(`council run history: ${run?.bytes} bytes, ${run?.events} events`);
  });

  it('under a budget of exactly its estimate, no turn of a long debate is refused: each prompt stays within its share', async () => {
    const councilId = `council-run-budget-${Date.now()}`;
    const bounded = { model: pricedMini, maxOutputTokens: 4000, retry: { maximumAttempts: 1 } };
    const experts = ['a', 'b', 'c', 'd'].map((id) => expert(id, bounded));
    const context = council('adversarial', experts, {
      debateRounds: 20,
      synthesisConfig: { name: 'Synthesizer', ...bounded },
    });
    const estimate = estimateCouncil({ kind: 'council', context, task: context.task });
    const result = await executeCouncilExperts(
      harness.client,
      { ...context, budget: { maxTokens: estimate.total.tokens } },
      undefined,
      undefined,
      { councilId, taskQueue: harness.taskQueue },
    );
    expect(result.failedExperts).toEqual([]);
    expect(result.budget).toMatchObject({ exhausted: false, refusedCount: 0, reserved: { tokens: 0 } });
    expect(result.synthesis.status).toBe('done');
  });

  it('a long task goes whole into every turn: the histories shown make room for it', async () => {
    const councilId = `council-run-task-${Date.now()}`;
    const task = `Review this brief. ${'finding '.repeat(7_500)}end.`;
    const experts = ['a', 'b', 'c', 'd'].map((id) => expert(id));
    const result = await executeCouncilExperts(
      harness.client,
      { ...council('adversarial', experts, { debateRounds: 20 }), task },
      undefined,
      undefined,
      { councilId, taskQueue: harness.taskQueue },
    );
    expect(result.synthesis.status).toBe('done');
    expect(lastPrompt.get('Expert A')).toContain(task);
    const [run] = await allRuns(reader, councilId);
    expect(run?.workflowTaskFailures).toEqual([]);
    expect(run?.bytes).toBeLessThan(
      COUNCIL_RUN_LIMITS.promptBytes + COUNCIL_RUN_LIMITS.answerBytes + 8 * 1024 * 1024,
    );
  });

  it('a task too long to send whole in every turn is refused before the council starts, saying what to change', async () => {
    const councilId = `council-run-refused-${Date.now()}`;
    const task = `Review this brief. ${'finding '.repeat(24_000)}`;
    const experts = ['a', 'b', 'c', 'd'].map((id) => expert(id));
    const started = startCouncil(
      harness.client,
      { ...council('adversarial', experts, { debateRounds: 20 }), task },
      { councilId, taskQueue: harness.taskQueue },
    );
    await expect(started).rejects.toThrow(
      /council too large for one run's history: the task \(\d+ bytes\) and the system prompt of a, b, c, d are sent whole in each expert turn.*over its 160 turns/,
    );
    await expect(started).rejects.toMatchObject({
      hint: expect.stringMatching(/shorten the task.*fewer experts or debateRounds/),
    });
    await expect(harness.client.workflow.getHandle(councilId).describe()).rejects.toThrow(/not found/);
  });
});
