import type { LLMock } from '@copilotkit/aimock';
import { executeCouncilExperts } from '../../client/api/council';
import type { ExecutionContext, ExecutionResult } from '../../client/api/councilTypes';
import { useMockHarness, type MockHarness } from '../helpers/mockHarness';
import { requestsOf, scriptedCouncil, userPrompt, type Script } from './support';

/** A {@link MockHarness} that runs councils. */
export interface CouncilBench extends MockHarness {
  /** Runs a council to its end on the harness's task queue. */
  run(context: ExecutionContext, councilId?: string): Promise<ExecutionResult>;
}

/** {@link useMockHarness} for a describe block of councils. */
export function useCouncilBench(label: string, answer: (mock: LLMock) => void): CouncilBench {
  const bench = useMockHarness(label, answer) as CouncilBench;
  bench.run = (context, councilId) =>
    executeCouncilExperts(bench.harness.client, context, undefined, undefined, {
      taskQueue: bench.harness.taskQueue,
      councilId,
    });
  return bench;
}

/** A {@link CouncilBench} whose mock answers by {@link scriptedCouncil}. */
export interface ScriptedCouncilBench extends CouncilBench {
  /** What the speakers answer; back to the default answer before each test. */
  script: Script;
  /** The scripted mock's call counts; set before the block's first test. */
  stats: ReturnType<typeof scriptedCouncil>;
  /** The user prompt of a speaker's first request, or "no request". */
  promptOf(speaker: string): string;
}

/** {@link useCouncilBench} with a scripted mock that answers after `latencyMs`. */
export function useScriptedCouncil(label: string, latencyMs = 0): ScriptedCouncilBench {
  const scripted = useCouncilBench(label, (mock) => {
    scripted.stats = scriptedCouncil(
      mock,
      (speaker, request) => scripted.script(speaker, request),
      latencyMs,
    );
  }) as ScriptedCouncilBench;
  scripted.script = () => undefined;
  scripted.promptOf = (speaker) => {
    const [entry] = requestsOf(scripted.mock, speaker);
    return entry ? userPrompt(entry) : 'no request';
  };
  beforeEach(() => {
    scripted.script = () => undefined;
  });
  return scripted;
}

/** The fenced blocks of a prompt's history, as "Name: text", in order. */
export function shownBlocks(prompt: string): string[] {
  return [...prompt.matchAll(/### "([^"]+)"[^\n]*\n```text\n([\s\S]*?)\n```/g)].map(
    ([, name, text]) => `${name}: ${text}`,
  );
}
