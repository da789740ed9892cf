import type { LLMock } from '@copilotkit/aimock';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { LIMITS } from '../../common/defaults';
import { speakerOf, promptText } from '../helpers/mockLlm';
import { isModelCallScheduled } from '../durability/support/temporal';
import { testEnvironment } from '../helpers/testEnv';

type History = temporal.api.history.v1.IHistory;

/** Temporal's warning thresholds for one run's history (the test's ceiling). */
export const HISTORY_LIMITS = { bytes: 10 * 1024 * 1024, events: 10_240 } as const;

/**
 * A system prompt that tells the mock how big the answers of this session are: every participant
 * answers `bytes` UTF-8 bytes of `unit` (a one-byte or a multi-byte character) after its name.
 */
export function sizedPrompt(bytes: number, unit = 'x'): string {
  return `Size test. ANSWER-BYTES=${bytes} ANSWER-UNIT=${unit}`;
}

/**
 * The answer the mock gives a speaker for a sized prompt: "NAME: " then words of `unit`, `bytes`
 * bytes at most. Words, not one endless run of a character: a tokenizer's BPE is quadratic on one
 * 800 KB "word", and real answers have spaces.
 */
export function sizedAnswer(speaker: string, bytes: number, unit: string): string {
  const head = `${speaker}: `;
  const word = `${unit.repeat(7)} `;
  const words = Math.max(0, Math.floor((bytes - Buffer.byteLength(head)) / Buffer.byteLength(word)));
  return head + word.repeat(words);
}

/** Answers every chat request with the sized answer its system prompt asks for. */
export function answerSized(mock: LLMock): void {
  mock.on(
    { predicate: () => true },
    (request) => {
      const text = promptText({ body: request } as Parameters<typeof promptText>[0]);
      const bytes = Number(/ANSWER-BYTES=(\d+)/.exec(text)?.[1] ?? 64);
      const unit = /ANSWER-UNIT=(\S)/u.exec(text)?.[1] ?? 'x';
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      return {
        content: sizedAnswer(speaker, bytes, unit),
        usage: { prompt_tokens: 10, completion_tokens: Math.ceil(bytes / 4) },
      };
    },
    { chunkSize: 64 * 1024 },
  );
}

/** One run of a workflow: its history and the figures the size test checks. */
export interface RunFacts {
  runId: string;
  events: number;
  bytes: number;
  workflowTaskFailures: string[];
  history: History;
}

/**
 * A client that can read big histories: one page of a history with megabyte answers is larger than
 * gRPC's default 4 MB receive limit.
 */
export async function historyReader(address = testEnvironment().address): Promise<Client> {
  const env = testEnvironment();
  const connection = await Connection.connect({
    address,
    channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 },
  });
  return new Client({ connection, namespace: env.namespace });
}

/** Every run of a workflow id, oldest first, following continue-as-new back from the latest run. */
export async function allRuns(client: Client, workflowId: string): Promise<RunFacts[]> {
  const runs: RunFacts[] = [];
  let runId: string | undefined;
  // Bounded: a test session never has this many runs.
  for (let step = 0; step < 500; step += 1) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    runs.unshift({
      runId: runId ?? 'latest',
      events: events.length,
      bytes: temporal.api.history.v1.History.encode(history).finish().length,
      workflowTaskFailures: events
        .filter((event) => event.workflowTaskFailedEventAttributes)
        .map((event) => {
          const attributes = event.workflowTaskFailedEventAttributes;
          return `${String(attributes?.cause)}: ${attributes?.failure?.message ?? ''}`;
        }),
      history,
    });
    runId = started?.continuedExecutionRunId ?? undefined;
    if (!runId) return runs;
  }
  throw new Error(`${workflowId} has more than 500 runs`);
}

/**
 * Resolves with `work`, or rejects as soon as the workflow's task starts failing (the run is stuck:
 * on the code before the bounds, a PAYLOADS_TOO_LARGE task is retried forever and `work` never ends).
 */
export async function unlessStuck<T>(reader: Client, handle: WorkflowHandle, work: Promise<T>): Promise<T> {
  let done = false;
  const watch = (async (): Promise<never> => {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (done) return new Promise<never>(() => undefined);
      const description = await handle.describe();
      const attempt = description.raw.pendingWorkflowTask?.attempt ?? 0;
      if (attempt >= 2) {
        const history = await reader.workflow.getHandle(handle.workflowId).fetchHistory();
        const events = history.events ?? [];
        const failed = events.filter((event) => event.workflowTaskFailedEventAttributes).at(-1);
        const failure = failed?.workflowTaskFailedEventAttributes;
        throw new Error(
          `workflow task failing (attempt ${attempt}): ${String(failure?.cause)} ${failure?.failure?.message ?? ''}`,
        );
      }
    }
  })();
  try {
    return await Promise.race([work, watch]);
  } finally {
    done = true;
  }
}

/** The `content` of every completed callLlm activity of these runs, in order (undefined: stored elsewhere). */
export function recordedAnswers(runs: readonly RunFacts[]): Array<string | undefined> {
  const answers: Array<string | undefined> = [];
  for (const run of runs) {
    const events = run.history.events ?? [];
    const modelCalls = new Set(events.filter(isModelCallScheduled).map((event) => Number(event.eventId)));
    for (const event of events) {
      const completed = event.activityTaskCompletedEventAttributes;
      if (!completed || !modelCalls.has(Number(completed.scheduledEventId))) continue;
      const payload = completed.result?.payloads?.[0];
      if (!payload?.data) continue;
      // A payload kept in an external store holds a reference, not the answer: counted, not read.
      const encoding = Buffer.from(payload.metadata?.encoding ?? []).toString();
      if (encoding !== 'json/plain') {
        answers.push(undefined);
        continue;
      }
      const result = JSON.parse(Buffer.from(payload.data).toString('utf8')) as { content: string };
      answers.push(result.content);
    }
  }
  return answers;
}

/** True when this run continued-as-new past council's history bytes limit, unasked by the server. */
export function continuedOnBytes(run: RunFacts): boolean {
  const events = run.history.events ?? [];
  return (
    events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes != null &&
    run.bytes > LIMITS.continueAsNewHistoryBytes &&
    !events.some((event) => event.workflowTaskStartedEventAttributes?.suggestContinueAsNew)
  );
}
