import type { LLMock } from '@copilotkit/aimock';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { startCouncil } from '../../client/api/council';
import { councilProgressQuery } from '../../common/councilApi';
import { CouncilStatusKey } from '../../common/searchAttributes';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, scriptedCouncil } from './support';

/** The mock's count of requests as they arrive (its journal records one only when answered). */
let stats = { calls: 0, inFlight: 0, maxInFlight: 0 };

/** Waits until the test's `count` chat requests reached the mock (held there 20 s), bounded. */
async function callsInFlight(count: number): Promise<void> {
  for (let i = 0; i < 200 && stats.calls < count; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(stats.calls).toBe(count);
}

describe('a cancelled council on the real dev server', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    // Every expert holds its call long enough for the test to cancel the council meanwhile.
    stats = scriptedCouncil(mock, () => undefined, 20_000);
    harness = await startHarness('council-cancel', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it.each(['parallel', 'sequential'] as const)(
    '%s: ends cancelled, says so in its status, and records no expert as skipped',
    async (mode) => {
      stats.calls = 0;
      const councilId = await startCouncil(harness.client, council(mode, [expert('a'), expert('b')]), {
        taskQueue: harness.taskQueue,
      });
      const handle = harness.client.workflow.getHandle(councilId);
      await callsInFlight(mode === 'parallel' ? 2 : 1);
      await handle.cancel();

      const failure = await handle.result().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      const description = await handle.describe();
      expect(description.status.name).toBe('CANCELLED');
      expect(description.typedSearchAttributes.get(CouncilStatusKey)).toBe('cancelled');

      const progress = await handle.query(councilProgressQuery, { fromEvent: 0 });
      expect(progress.status).toBe('cancelled');
      const failed = progress.events.filter((event) => event.kind === 'expert' && event.state === 'failed');
      expect(failed).toEqual([]);
      // The synthesizer was never asked: the council stopped where it was cancelled.
      expect(stats.calls).toBe(mode === 'parallel' ? 2 : 1);
    },
  );
});
