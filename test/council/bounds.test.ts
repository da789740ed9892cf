import type { LLMock } from '@copilotkit/aimock';
import type { Client } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import type { CouncilWorkflowResult } from '../../common/council';
import { LIMITS } from '../../common/defaults';
import { jsonBytes } from '../../common/size';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { allRuns, HISTORY_LIMITS, historyReader, unlessStuck } from '../session/sizeSupport';
import { council, expert, scriptedCouncil } from './support';

/** 24 experts each answering 40,000 three-byte characters: 120 KB, cut to 16,000 characters when stored. */
const EXPERTS = 24;
const answer = (speaker: string) => `${speaker}: ${'€'.repeat(40_000)}`;

describe('a council whose answers add up past the payload limit still completes', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let reader: Client;

  beforeAll(async () => {
    mock = await startMockLlm();
    scriptedCouncil(mock, (speaker) => ({
      content: answer(speaker),
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    }));
    harness = await startHarness('council-bounds', createLlmActivities(mockClients(mock)));
    reader = await historyReader();
  });
  afterAll(async () => {
    await harness?.close();
    await reader?.connection.close();
    await mock?.stop();
  });

  it('parallel, 24 experts x 120 KB with messaging: the result is bounded, every expert answered', async () => {
    const councilId = `council-bounds-${Date.now()}`;
    const experts = Array.from({ length: EXPERTS }, (_, i) => expert(`e${i + 1}`));
    const handle = harness.client.workflow.getHandle(councilId);
    const running = executeCouncilExperts(
      harness.client,
      council('parallel', experts, { enableMessaging: true }),
      undefined,
      undefined,
      { councilId, taskQueue: harness.taskQueue },
    );
    let result;
    try {
      result = await unlessStuck(reader, handle, running);
    } finally {
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.terminate('council bounds test cleanup');
    }
    const raw = (await handle.result()) as CouncilWorkflowResult;
    expect(jsonBytes(raw)).toBeLessThanOrEqual(LIMITS.maxCouncilResultBytes);
    expect(result.failedExperts).toEqual([]);
    expect(result.synthesis.status).toBe('done');
    for (const e of experts) {
      const output = result.outputs[e.id];
      expect(output?.status).toBe('done');
      expect(output?.content.startsWith(`${e.name}: €€€`)).toBe(true);
    }
    expect(result.bounded?.messagesLeftOut ?? 0).toBeGreaterThan(0);
    const [run] = await allRuns(reader, councilId);
    expect(run?.workflowTaskFailures).toEqual([]);
    expect(run?.bytes).toBeLessThan(HISTORY_LIMITS.bytes);
  });
});
