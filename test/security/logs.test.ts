import type { LLMock } from '@copilotkit/aimock';
import { ApplicationFailure } from '@temporalio/common';
import { createLlmActivities } from '../../activities';
import { ConciseLogger } from '../../workers/conciseLogger';
import { startMockLlm } from '../helpers/mockLlm';
import { failureOf, llmRequest, runCallLlm, serveWire } from '../providers/support';

/** Sequences a provider (or a proxy) could put in what it answers: a title, the clipboard, a wipe. */
const HOSTILE = 'START \u001b]0;PWNED-TITLE\u0007 \u001b]52;c;ZWNobyBwd25lZA==\u0007 \u001b[2J\u001bc END';

/** Everything written to stderr or through console while `run` runs. */
async function stderrOf(run: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const consoled = (['error', 'warn', 'log', 'info', 'debug'] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      written.push(args.map(String).join(' '));
    }),
  );
  try {
    await run();
  } finally {
    write.mockRestore();
    for (const spy of consoled) spy.mockRestore();
  }
  return written.join('\n');
}

const escapes = (text: string) => text.match(/[\u001b\u0007\u009b]/g) ?? [];

describe("attack: a provider's error or garbage reaches a worker's log", () => {
  let mock: LLMock;
  beforeAll(async () => {
    mock = await startMockLlm();
  });
  afterAll(() => mock.stop());

  it("the provider SDK's own log of a stream it cannot parse holds no escape", async () => {
    const url = serveWire(mock, '/garbage', (_body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: {not json ${HOSTILE}\n\n`);
    });
    const origin = new URL(url).origin;
    const env = { COUNCIL_PROVIDER_POLICY: JSON.stringify({ keys: {}, keyless: [origin] }) };
    const activities = createLlmActivities({}, { env });
    const model = { provider: 'openai-compatible' as const, model: 'm', baseURL: `${url}/v1` };
    let failure: ApplicationFailure | undefined;
    const logged = await stderrOf(async () => {
      failure = await failureOf(runCallLlm(activities, llmRequest(model, 'hi')).result);
    });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(logged).toContain('PWNED-TITLE');
    expect(escapes(logged)).toEqual([]);
  });

  it("the worker's log of a failed model call, and of any other failure, holds no escape", async () => {
    const logger = new ConciseLogger('WARN');
    const logged = await stderrOf(async () => {
      const meta = { activityType: 'callLlm', attempt: 2, activityId: 'r1.answer.A', workflowId: 'w' };
      logger.warn('Activity failed', {
        ...meta,
        error: ApplicationFailure.create({ type: 'ProviderServerError', message: `openai: 500 ${HOSTILE}` }),
      });
      logger.warn('Activity failed', { ...meta, activityType: 'other', error: new Error(HOSTILE) });
      logger.error(`Workflow failed ${HOSTILE}`);
    });
    expect(logged.match(/START/g)?.length).toBeGreaterThanOrEqual(3);
    expect(escapes(logged)).toEqual([]);
  });
});
