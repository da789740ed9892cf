import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { LLMock } from '@copilotkit/aimock';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { LlmActivities } from '../../activities';
import type { ChatMessage, LlmRequest, LlmResponse, ModelSpec } from '../../common/llm';
import { waitFor } from '../helpers/wait';

/** A request for one model with one user message, plus any overrides. */
export function llmRequest(
  model: ModelSpec,
  content: string,
  overrides: Partial<LlmRequest> = {},
): LlmRequest {
  const messages: ChatMessage[] = [{ role: 'user', content }];
  return { model, messages, ...overrides };
}

/** One run of `callLlm` outside a worker, with the heartbeats it sent (ms since the start). */
export interface ActivityRun {
  result: Promise<LlmResponse>;
  heartbeats: number[];
  env: MockActivityEnvironment;
  startedAt: number;
}

/** Runs `callLlm` in a MockActivityEnvironment: a real activity Context without a worker. */
export function runCallLlm(
  activities: LlmActivities,
  request: LlmRequest,
  heartbeatTimeoutMs?: number,
  attempt = 1,
): ActivityRun {
  // Failing calls are expected here; the SDK would log each one as a warning.
  const env = new MockActivityEnvironment(
    { heartbeatTimeoutMs, attempt },
    { logger: new DefaultLogger('ERROR') },
  );
  const startedAt = Date.now();
  const heartbeats: number[] = [];
  env.on('heartbeat', () => heartbeats.push(Date.now() - startedAt));
  const result = env.run<[LlmRequest], LlmResponse, LlmActivities['callLlm']>(activities.callLlm, request);
  // Tests that expect a failure await it later; keep Node from calling it unhandled meanwhile.
  result.catch(() => undefined);
  return { result, heartbeats, env, startedAt };
}

/** The ApplicationFailure a call failed with; fails the test if it succeeded or threw anything else. */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ApplicationFailure)) {
    throw new Error(`expected an ApplicationFailure, got ${error === undefined ? 'success' : String(error)}`);
  }
  return error;
}

/** What the server saw of one exchange: the request's headers, and how the response ended. */
export interface WatchedResponse {
  path: string;
  /** As sent, credentials included (aimock's own journal redacts them). */
  requestHeaders: IncomingHttpHeaders;
  /** Undefined while the response is open; false when the connection closed before it was sent whole. */
  finished?: boolean;
  closedAtMs?: number;
}

/** See {@link watchResponses}. */
export interface ResponseWatch {
  /** In the order the requests arrived. */
  responses: WatchedResponse[];
  /** Headers added to every response under the prefix (aimock itself only sets Retry-After, on 429s). */
  extraHeaders: Record<string, string>;
  reset(): void;
}

/**
 * Watches aimock's exchanges from inside the server: a mount on `prefix` (/v1: OpenAI's and
 * Anthropic's paths; /v1beta: Gemini's) that notes the request headers,
 * adds response headers and notes how each response ended, then lets aimock answer. A response closed
 * before it finished is a request the client aborted (or a disconnect the fixture asked for).
 */
export function watchResponses(mock: LLMock, prefix = '/v1'): ResponseWatch {
  const watch: ResponseWatch = {
    responses: [],
    extraHeaders: {},
    reset() {
      watch.responses.length = 0;
      watch.extraHeaders = {};
    },
  };
  mock.mount(prefix, {
    async handleRequest(req: IncomingMessage, res: ServerResponse, subPath: string) {
      const startedAt = Date.now();
      const record: WatchedResponse = { path: `${prefix}${subPath}`, requestHeaders: { ...req.headers } };
      watch.responses.push(record);
      for (const [name, value] of Object.entries(watch.extraHeaders)) res.setHeader(name, value);
      res.on('close', () => {
        record.finished = res.writableFinished;
        record.closedAtMs = Date.now() - startedAt;
      });
      return false;
    },
  });
  return watch;
}

/** Resolves once the mock has seen every response it watched end, sent whole or cut. */
export async function responsesClosed(watch: ResponseWatch): Promise<void> {
  await waitFor(
    'the mock to see its responses close',
    () => watch.responses.length > 0 && watch.responses.every((response) => response.finished !== undefined),
    10_000,
    10,
  );
}

/**
 * Serves hand-written wire responses under `prefix` on the aimock server, for what aimock's fixtures
 * cannot express (Anthropic cache usage, an `event: error` inside a stream).
 */
export function serveWire(
  mock: LLMock,
  prefix: string,
  respond: (body: Record<string, unknown>, res: ServerResponse) => void,
): string {
  mock.mount(prefix, {
    async handleRequest(req: IncomingMessage, res: ServerResponse) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      respond(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, res);
      return true;
    },
  });
  return `${mock.url}${prefix}`;
}

/** Writes one server-sent event. */
export function writeEvent(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A call whose stream sends its first events and some text, then nothing for a minute (a connection
 * that hangs mid-answer), made with a 400 ms stream idle timeout: how it failed, how long it took,
 * and the HTTP exchanges the mock saw once every one of them closed.
 */
export async function idleStreamCall(
  mock: LLMock,
  activities: LlmActivities,
  model: ModelSpec,
  watch: ResponseWatch,
): Promise<{ failure: ApplicationFailure; elapsedMs: number; responses: WatchedResponse[] }> {
  mock.onMessage(
    'go quiet',
    { content: 'Half an answer, and then nothing more for a long while.' },
    {
      chunkSize: 5,
      // Four events come at once (each provider's opening ones, then text), then a minute between each.
      recordedTimings: {
        ttftMs: 50,
        interChunkDelaysMs: Array.from({ length: 40 }, (_, index) => (index < 4 ? 5 : 60_000)),
        totalDurationMs: 600_000,
      },
    },
  );
  const run = runCallLlm(activities, { ...llmRequest(model, 'go quiet'), streamIdleMs: 400 });
  const failure = await failureOf(run.result);
  const elapsedMs = Date.now() - run.startedAt;
  await responsesClosed(watch);
  return { failure, elapsedMs, responses: watch.responses };
}
