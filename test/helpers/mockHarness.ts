import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { mockClients, startMockLlm } from './mockLlm';
import { startHarness, type TemporalTestHarness } from './testEnv';

/** The mock LLM and the worker on it that the tests of one describe block share. */
export interface MockHarness {
  /** Set before the block's first test. */
  mock: LLMock;
  /** Set before the block's first test. */
  harness: TemporalTestHarness;
}

/**
 * Call inside a describe block: before its tests, starts the mock LLM (`answer` says how it answers)
 * and a worker on it; after them, stops both; before each test, clears the mock's journal.
 */
export function useMockHarness(label: string, answer: (mock: LLMock) => void): MockHarness {
  const bench = {} as MockHarness;
  beforeAll(async () => {
    bench.mock = await startMockLlm();
    answer(bench.mock);
    bench.harness = await startHarness(label, createLlmActivities(mockClients(bench.mock)));
  });
  afterAll(async () => {
    await bench.harness?.close();
    await bench.mock?.stop();
  });
  beforeEach(() => bench.mock.clearRequests());
  return bench;
}
