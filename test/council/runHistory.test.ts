import type { LLMock } from '@copilotkit/aimock';
import type { Client } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { COUNCIL_RUN_LIMITS } from '../../workflows/council/turnShares';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { allRuns, historyReader, unlessStuck } from '../session/sizeSupport';
import { council, expert, userPrompt } from './support';

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
      return { content: answer(speaker), usage: { prompt_tokens: 10, completion_tokens: 5 } };
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
    const bound = COUNCIL_RUN_LIMITS.historyBytes + COUNCIL_RUN_LIMITS.answerBytes + 8 * 1024 * 1024;
    expect(run?.bytes).toBeLessThan(bound);
    console.log(`council run history: ${run?.bytes} bytes, ${run?.events} events`);
  });
});
