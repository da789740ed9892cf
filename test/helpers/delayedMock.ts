import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import type { MockHarness } from './mockHarness';
import { mockClients, promptText, speakerOf, startMockLlm } from './mockLlm';
import { startHarness } from './testEnv';

/** A call as it reached the mock, before its answer: who, on which model, shown what. */
export interface Arrival {
  speaker: string;
  model: string;
  prompt: string;
  at: number;
}

/** What {@link answerAfterDelays} saw and how a test steers it. */
export interface DelayedAnswers {
  /** Every call, in the order it reached the mock. */
  arrivals: Arrival[];
  /** How long a speaker takes on a model, by `speaker|model`; 100 ms when not listed. */
  delays: Map<string, number>;
  /** Ends every delay still running: a cancelled call's answer is never awaited by the test. */
  letGo(): void;
  /** Forgets the arrivals and the delays, for the next test. */
  reset(): void;
}

/**
 * Answers every chat request "SPEAKER: answer from MODEL" after the delay listed for its speaker on
 * its model: a straggler is one speaker on one model, its backup (another model) may be quick.
 */
export function answerAfterDelays(mock: LLMock): DelayedAnswers {
  const pending = new Set<() => void>();
  const answers: DelayedAnswers = {
    arrivals: [],
    delays: new Map(),
    letGo: () => pending.forEach((end) => end()),
    reset() {
      answers.arrivals.length = 0;
      answers.delays = new Map();
    },
  };
  mock.on({ predicate: () => true }, async (request) => {
    const speaker = speakerOf({ body: request }) ?? 'unknown';
    const model = (request as { model?: string }).model ?? '';
    answers.arrivals.push({ speaker, model, prompt: promptText({ body: request } as never), at: Date.now() });
    await new Promise<void>((resolve) => {
      const end = () => (clearTimeout(timer), pending.delete(end), resolve());
      const timer = setTimeout(end, answers.delays.get(`${speaker}|${model}`) ?? 100);
      pending.add(end);
    });
    const content = `${speaker}: answer from ${model}`;
    return { content, usage: { prompt_tokens: 10, completion_tokens: 5 } };
  });
  return answers;
}

/** The delayed mock, the mock LLM it answers on and the worker on that, shared by one describe block. */
export interface DelayedHarness extends MockHarness {
  /** Set before the block's first test. */
  answers: DelayedAnswers;
}

/**
 * Call inside a describe block: before its tests, starts a mock LLM that answers after delays
 * ({@link answerAfterDelays}) and a worker on it; before each test, forgets the delays, the arrivals
 * and the mock's journal; after the tests, lets every held answer go (a call still held would keep
 * the worker's shutdown waiting), then stops the worker and the mock.
 */
export function useDelayedHarness(label: string): DelayedHarness {
  const bench = {} as DelayedHarness;
  beforeAll(async () => {
    bench.mock = await startMockLlm();
    bench.answers = answerAfterDelays(bench.mock);
    bench.harness = await startHarness(label, createLlmActivities(mockClients(bench.mock)));
  });
  afterAll(async () => {
    bench.answers?.letGo();
    await bench.harness?.close();
    await bench.mock?.stop();
  });
  beforeEach(() => {
    bench.answers.reset();
    bench.mock.clearRequests();
  });
  return bench;
}
