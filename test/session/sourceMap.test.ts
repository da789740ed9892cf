import { readFileSync } from 'node:fs';
import { MultiParticipantSession } from '../../client/api/session';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { testEnvironment } from '../helpers/testEnv';

const SOURCE_MAP_COMMENT = '//# sourceMappingURL=data:';

/** The source map inlined at the end of a workflow bundle, and the size of the code before it. */
function inlineSourceMap(bundle: string): { codeBytes: number; map: Record<string, unknown> } {
  const at = bundle.lastIndexOf(SOURCE_MAP_COMMENT);
  const encoded = bundle.slice(bundle.indexOf('base64,', at) + 'base64,'.length).trim();
  return { codeBytes: at, map: JSON.parse(Buffer.from(encoded, 'base64').toString()) };
}

describe("the workflow bundle's source map", () => {
  const bench = useMockHarness('source-map', (mock) => answerAsParticipants(mock));

  it("is inline, with no sources' text, and smaller than the code", () => {
    const bundle = readFileSync(testEnvironment().bundlePath, 'utf8');
    const { codeBytes, map } = inlineSourceMap(bundle);
    expect(map.sources).toEqual(
      expect.arrayContaining([expect.stringMatching(/workflows\/session\/\w+\.ts$/)]),
    );
    expect(map.sourcesContent).toBeUndefined();
    // The SDK's default map, with the sources' text, was larger than the code itself.
    expect(bundle.length - codeBytes).toBeLessThan(codeBytes / 2);
  });

  it("still maps a running workflow's stack to council's TypeScript files, lines and columns", async () => {
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { systemPrompt: 'System prompt', strategy: 'broadcast' },
      { taskQueue: bench.harness.taskQueue },
    );
    const handle = bench.harness.client.workflow.getHandle(session.sessionId);
    try {
      const stack = await handle.query<string>('__stack_trace');
      const frame = /at sessionWorkflow \((\S*workflows\/session\/workflow\.ts):(\d+):(\d+)\)/.exec(stack);
      expect(frame).not.toBeNull();
      const [, file = '', line = '0', column = '0'] = frame ?? [];
      // The idle session waits in a call: the frame names that call's line (not a comment or a
      // declaration near it) and a column within the call (a map by line only gives column 0).
      const source = readFileSync(file, 'utf8').split('\n')[Number(line) - 1] ?? '';
      const call = source.search(/\bawait \w+\(/);
      expect(call).toBeGreaterThanOrEqual(0);
      expect(Number(column)).toBeGreaterThanOrEqual(call);
    } finally {
      await handle.terminate('test done');
    }
  });
});
