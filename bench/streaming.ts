import { temporal } from '@temporalio/proto';
import { MultiParticipantSession } from '../client/api/session';
import type { TokenEvent } from '../client/api/tokens';
import { STREAM_LIMITS } from '../common/stream';
import type { BenchContext } from './harness';
import { serverCpuSeconds } from './machine';
import { BenchWorker } from './processes';
import { startStampServer, stampsIn } from './stampServer';
import { round2, summarize, type LatencySummary } from './stats';

/** One way of running a one-answer session: with a watcher (onToken) or without. */
export interface StreamingVariant {
  watched: boolean;
  /** Encoded history of a session that answers once (start, participant, round, close). */
  historyBytesPerAnswer: number;
  historyEventsPerAnswer: number;
  /** Temporal server CPU per answer (from /proc), the whole answer's streaming included. */
  serverCpuMsPerAnswer: number;
  /** sendMessage round trip: the answer streams for chunks × gapMs of it. */
  answerMs: LatencySummary;
}

/** What streaming to a watcher costs and how soon a token is shown. */
export interface StreamingResult {
  answersPerVariant: number;
  chunksPerAnswer: number;
  gapMs: number;
  /** The worker's heartbeat throttle is council's default unless `--worker-option` overrode it. */
  settings: { beatMs: number; heartbeatThrottle: number | string; pollMs: number; tailChars: number };
  /** From a chunk leaving the model server to onToken handing it on, per chunk, watched answers only. */
  tokensToScreen: LatencySummary;
  /**
   * Share of the watched answers' chunks a watcher was shown while they streamed: the last ones
   * (under the heartbeat throttle before the end) come only with the answer itself.
   */
  chunksShownShare: number;
  variants: StreamingVariant[];
}

/** What the stamp server streams for every answer. */
const STAMPED = { chunks: 60, gapMs: 25 } as const;

/**
 * Sessions of one participant whose model streams 60 stamped chunks 25 ms apart (bench/stampServer.ts),
 * alternately watched and not, on a worker process of its own with council's default settings.
 */
export async function measureStreaming(ctx: BenchContext): Promise<StreamingResult> {
  const answers = ctx.options.quick ? 4 : 12;
  const stamps = await startStampServer(STAMPED.chunks, STAMPED.gapMs);
  const taskQueue = 'bench-streaming';
  const worker = await BenchWorker.start(
    {
      address: ctx.server.address,
      namespace: ctx.server.namespace,
      taskQueue,
      bundlePath: ctx.bundlePath,
      // e.g. --worker-option=maxHeartbeatThrottleInterval=2000 to compare the throttle's cost.
      ...(ctx.options.workerOverrides && { overrides: ctx.options.workerOverrides }),
    },
    stamps.url,
  );
  const samples: number[] = [];
  const runs = { false: [] as Run[], true: [] as Run[] };
  try {
    for (let i = 0; i < answers * 2; i += 1) {
      const watched = i % 2 === 1;
      runs[`${watched}`].push(await oneAnswer(ctx, taskQueue, watched ? samples : undefined));
    }
  } finally {
    await worker.stop();
    await stamps.stop();
  }
  return {
    answersPerVariant: answers,
    chunksPerAnswer: STAMPED.chunks,
    gapMs: STAMPED.gapMs,
    settings: {
      beatMs: STREAM_LIMITS.beatMs,
      heartbeatThrottle:
        ctx.options.workerOverrides?.maxHeartbeatThrottleInterval ?? STREAM_LIMITS.heartbeatThrottleMs,
      pollMs: STREAM_LIMITS.pollMs,
      tailChars: STREAM_LIMITS.tailChars,
    },
    tokensToScreen: summarize(samples),
    chunksShownShare: round2(samples.length / (answers * STAMPED.chunks)),
    variants: [false, true].map((watched) => variantOf(watched, runs[`${watched}`])),
  };
}

interface Run {
  historyBytes: number;
  historyEvents: number;
  serverCpuMs: number;
  answerMs: number;
}

async function oneAnswer(ctx: BenchContext, taskQueue: string, samples?: number[]): Promise<Run> {
  const session = await MultiParticipantSession.create(ctx.client, { strategy: 'broadcast' }, { taskQueue });
  await session.addParticipant('Streamer', { provider: 'openai', model: 'stamp' }, 'panelist');
  const onToken = (event: TokenEvent) => {
    const now = Date.now();
    for (const sentAt of stampsIn(event.delta)) samples?.push(now - sentAt);
  };
  const cpuBefore = serverCpuSeconds(ctx.server.processes);
  const started = performance.now();
  const [response] = await session.sendMessage('user', 'Stream', samples ? { onToken } : {});
  const answerMs = performance.now() - started;
  const serverCpuMs = (serverCpuSeconds(ctx.server.processes) - cpuBefore) * 1000;
  if (stampsIn(response?.content ?? '').length !== STAMPED.chunks)
    throw new Error('an answer came back incomplete');
  await session.close();
  const history = await ctx.client.workflow.getHandle(session.sessionId).fetchHistory();
  return {
    historyBytes: temporal.api.history.v1.History.encode(history).finish().length,
    historyEvents: history.events?.length ?? 0,
    serverCpuMs,
    answerMs,
  };
}

function variantOf(watched: boolean, runs: Run[]): StreamingVariant {
  const mean = (pick: (run: Run) => number) =>
    round2(runs.reduce((sum, run) => sum + pick(run), 0) / Math.max(1, runs.length));
  return {
    watched,
    historyBytesPerAnswer: mean((run) => run.historyBytes),
    historyEventsPerAnswer: mean((run) => run.historyEvents),
    serverCpuMsPerAnswer: mean((run) => run.serverCpuMs),
    answerMs: summarize(runs.map((run) => run.answerMs)),
  };
}
