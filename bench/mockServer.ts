/**
 * Child process: the LLM server of the bench (aimock, the same server the tests use), out of the
 * worker's process so its CPU and memory are not counted as council's. Model `bench-<N>ms` answers
 * "NAME: answer K" after N ms; model `bench-large-<B>` answers B bytes at once, starting with
 * "NAME: answer K" so no two answers are the same (content-keyed blobs are never reused). Talks to the parent over IPC: {type:'ready', url} once, then answers
 * {type:'stats'} with the request count and recent arrival times.
 */
import { LLMock } from '@copilotkit/aimock';
import { speakerOf } from '../test/helpers/mockLlm';

const latencies = (process.env.BENCH_MOCK_LATENCIES ?? '0,1000').split(',').map(Number);
const ARRIVALS_KEPT = 50_000;
/** `bench-large-<bytes>`: see benchLargeModel in harness.ts. */
const LARGE_MODEL = /^bench-large-(\d{1,7})$/;
const FILLER = 'lorem ipsum dolor sit amet ';

let requests = 0;
const arrivals: Array<{ at: number; speaker: string }> = [];

async function main(): Promise<void> {
  const mock = new LLMock({ port: 0, host: '127.0.0.1', logLevel: 'silent', journalMaxEntries: 1000 });
  // aimock selects the fixture, then waits out the latency, then calls the response factory: arrival
  // times are taken in the predicate, which runs when the request comes in.
  const seen = new WeakSet<object>();
  for (const latencyMs of latencies) {
    const model = `bench-${latencyMs}ms`;
    mock.on(
      {
        predicate: (request) => {
          if (request.model !== model) return false;
          if (!seen.has(request)) {
            seen.add(request);
            arrivals.push({ at: Date.now(), speaker: speakerOf({ body: request }) ?? 'unknown' });
            if (arrivals.length > ARRIVALS_KEPT) arrivals.splice(0, arrivals.length - ARRIVALS_KEPT);
          }
          return true;
        },
      },
      (request) => {
        requests += 1;
        return {
          content: `${speakerOf({ body: request }) ?? 'unknown'}: answer ${requests}`,
          usage: { prompt_tokens: 10, completion_tokens: 5 },
        };
      },
      { chaos: { latencyMs }, chunkSize: 10_000 },
    );
  }
  mock.on(
    { predicate: (request) => LARGE_MODEL.test(request.model) },
    (request) => {
      requests += 1;
      const bytes = Number(LARGE_MODEL.exec(request.model)?.[1]);
      const head = `${speakerOf({ body: request }) ?? 'unknown'}: answer ${requests} `;
      return {
        content: head + FILLER.repeat(Math.ceil(bytes / FILLER.length)).slice(0, bytes - head.length),
        usage: { prompt_tokens: 10, completion_tokens: 5 },
      };
    },
    { chunkSize: 1_000_000 },
  );
  await mock.start();
  process.on('message', (message: { type: string; since?: number }) => {
    if (message.type === 'stats') {
      const since = message.since ?? 0;
      process.send?.({ type: 'stats', requests, arrivals: arrivals.filter((a) => a.at >= since) });
    }
  });
  process.on('disconnect', () => void mock.stop().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', url: mock.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench mock LLM: ${String(error)}\n`);
  process.exit(1);
});
