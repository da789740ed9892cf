import path from 'node:path';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { MultiParticipantSession } from '../client/api/session';
import { LIMITS } from '../common/defaults';
import { councilDataConverter, openBlobStore } from '../storage/converter';
import { DEFAULT_BLOB_THRESHOLD_BYTES, type BlobStoreSettingsInput } from '../storage/settings';
import { benchLargeModel, benchModel, type BenchContext } from './harness';
import { cpuSeconds, serverCpuSeconds } from './machine';
import type { BenchWorker } from './processes';
import { round2, summarize, type LatencySummary } from './stats';

/** One of the four ways a one-participant turn is run: answer size × blob store. */
export interface CodecVariant {
  name: string;
  /** Mean length of the answers received (checked: every large one whole). */
  answerChars: number;
  store: 'none' | 'dir';
  latency: LatencySummary;
  /** CPU ms per turn by process (deltas around each timed turn, from /proc). */
  cpuMsPerTurn: { worker: number; server: number; client: number; total: number };
  /** Encoded workflow history per turn, sessions of {@link SESSION_TURNS} turns, start included. */
  historyBytesPerTurn: number;
}

/** A variant against its baseline (same answer size, no store): > 1 means the store costs more. */
export interface CodecRatio {
  variant: string;
  baseline: string;
  p50: number;
  p95: number;
  cpu: number;
  historyBytes: number;
}

/** Result of the codec measurement: what the blob store costs per turn, with small and large answers. */
export interface CodecResult {
  turnsPerVariant: number;
  sessionTurns: number;
  thresholdBytes: number;
  variants: CodecVariant[];
  ratios: CodecRatio[];
}

/**
 * Under the threshold (the cost of having the store on) and over it (offloaded). The large answer is
 * the largest council carries uncut (LIMITS.maxAnswerBytes): its activity result, with its envelope,
 * is over the store's threshold of the same size.
 */
export const LARGE_ANSWER_BYTES = LIMITS.maxAnswerBytes;
const SMALL = benchModel(0);
const LARGE = benchLargeModel(LARGE_ANSWER_BYTES);
/** A participant's carried history grows by one answer a turn: 4 turns keep inline inputs < 2 MB. */
const SESSION_TURNS = 4;
const WARMUP = 4;

interface Runner {
  name: string;
  large: boolean;
  answerChars: number;
  store: 'none' | 'dir';
  client: Client;
  taskQueue: string;
  workerPid: number;
  model: typeof SMALL | typeof LARGE;
  session?: MultiParticipantSession;
  turnsInSession: number;
  samples: number[];
  cpu: { worker: number; server: number; client: number };
  historyBytes: number;
  historyTurns: number;
}

/**
 * Interleaves four one-participant variants turn by turn, in a rotating order, so all see the same
 * load: small answers without and with a directory blob store, 256 KiB answers without (inline)
 * and with it (offloaded). Each store setting has its own worker process; CPU is taken around each turn.
 */
export async function measureCodec(ctx: BenchContext): Promise<CodecResult> {
  const blobStore: BlobStoreSettingsInput = { store: 'dir', dir: path.join(ctx.dir, 'codec-blobs') };
  const workers: BenchWorker[] = [];
  try {
    const plain = await ctx.startWorker('codec-none');
    workers.push(plain);
    const stored = await ctx.startWorker('codec-dir', { blobStore });
    workers.push(stored);
    const storeClient = new Client({
      connection: ctx.client.connection,
      namespace: ctx.server.namespace,
      dataConverter: councilDataConverter(
        openBlobStore({ ...blobStore, thresholdBytes: DEFAULT_BLOB_THRESHOLD_BYTES }),
      ),
    });
    const runner = (name: string, large: boolean, store: 'none' | 'dir'): Runner => ({
      name,
      large,
      answerChars: 0,
      store,
      client: store === 'dir' ? storeClient : ctx.client,
      taskQueue: store === 'dir' ? stored.taskQueue : plain.taskQueue,
      workerPid: store === 'dir' ? stored.pid : plain.pid,
      model: large ? LARGE : SMALL,
      turnsInSession: 0,
      samples: [],
      cpu: { worker: 0, server: 0, client: 0 },
      historyBytes: 0,
      historyTurns: 0,
    });
    const runners = [
      runner('small, no store', false, 'none'),
      runner('small, dir store', false, 'dir'),
      runner('256 KiB, no store (inline)', true, 'none'),
      runner('256 KiB, dir store (offloaded)', true, 'dir'),
    ];
    const turns = Math.max(20, Math.round(ctx.options.samples / 4));
    for (let t = 0; t < WARMUP + turns; t++) {
      for (let i = 0; i < runners.length; i++) {
        await turn(ctx, runners[(t + i) % runners.length] as Runner, t >= WARMUP);
      }
      if ((t + 1) % 20 === 0) ctx.log(`codec: ${t + 1}/${WARMUP + turns} turns per variant`);
    }
    for (const r of runners) await endSession(r);
    const variants = runners.map((r) => variantOf(r));
    const [smallNone, smallDir, largeNone, largeDir] = variants as [
      CodecVariant,
      CodecVariant,
      CodecVariant,
      CodecVariant,
    ];
    return {
      turnsPerVariant: turns,
      sessionTurns: SESSION_TURNS,
      thresholdBytes: DEFAULT_BLOB_THRESHOLD_BYTES,
      variants,
      ratios: [ratio(smallDir, smallNone), ratio(largeDir, largeNone)],
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/** One timed turn of a runner, in a session renewed every SESSION_TURNS turns (outside the timing). */
async function turn(ctx: BenchContext, r: Runner, measured: boolean): Promise<void> {
  if (!r.session || r.turnsInSession === SESSION_TURNS) {
    await endSession(r);
    r.session = await MultiParticipantSession.create(
      r.client,
      { strategy: 'roundRobin', participants: [{ name: 'A', role: 'panelist', model: r.model }] },
      {
        taskQueue: r.taskQueue,
        sessionId: `bench-codec-${r.store}-${r.large ? 'large' : 'small'}-${r.historyTurns}-${Date.now()}`,
      },
    );
  }
  const before = {
    worker: cpuSeconds(r.workerPid),
    server: serverCpuSeconds(ctx.server.processes),
    client: process.cpuUsage(),
  };
  const started = performance.now();
  const [response] = await r.session.sendMessage('user', `Turn ${r.turnsInSession}: go on.`);
  const elapsed = performance.now() - started;
  const client = process.cpuUsage(before.client);
  const chars = response?.content.length ?? 0;
  if (response?.status !== 'ok' || (r.large && chars !== LARGE_ANSWER_BYTES))
    throw new Error(`codec bench: ${r.name} got a ${response?.status} answer of ${chars} chars`);
  r.turnsInSession += 1;
  if (!measured) return;
  r.samples.push(elapsed);
  r.answerChars += chars;
  r.cpu.worker += (cpuSeconds(r.workerPid) - before.worker) * 1000;
  r.cpu.server += (serverCpuSeconds(ctx.server.processes) - before.server) * 1000;
  r.cpu.client += (client.user + client.system) / 1000;
}

/** Records the session's history size and closes it. */
async function endSession(r: Runner): Promise<void> {
  if (!r.session) return;
  r.historyBytes += await chainHistoryBytes(r.client, r.session.sessionId);
  r.historyTurns += r.turnsInSession;
  await r.session.close();
  r.session = undefined;
  r.turnsInSession = 0;
}

function variantOf(r: Runner): CodecVariant {
  const per = (ms: number) => round2(ms / r.samples.length);
  const total = r.cpu.worker + r.cpu.server + r.cpu.client;
  return {
    name: r.name,
    answerChars: Math.round(r.answerChars / r.samples.length),
    store: r.store,
    latency: summarize(r.samples),
    cpuMsPerTurn: {
      worker: per(r.cpu.worker),
      server: per(r.cpu.server),
      client: per(r.cpu.client),
      total: per(total),
    },
    historyBytesPerTurn: Math.round(r.historyBytes / Math.max(1, r.historyTurns)),
  };
}

function ratio(variant: CodecVariant, baseline: CodecVariant): CodecRatio {
  return {
    variant: variant.name,
    baseline: baseline.name,
    p50: round2(variant.latency.p50 / baseline.latency.p50),
    p95: round2(variant.latency.p95 / baseline.latency.p95),
    cpu: round2(variant.cpuMsPerTurn.total / baseline.cpuMsPerTurn.total),
    // Four decimals: offloading makes this ratio small, and round2 would show it as 0.
    historyBytes: Math.round((variant.historyBytesPerTurn / baseline.historyBytesPerTurn) * 1e4) / 1e4,
  };
}

/** Most runs one bench session can have: it plays SESSION_TURNS turns, a run each at the very most. */
const MAX_RUNS = SESSION_TURNS + 1;

/**
 * History bytes of every run of a session: large inline answers make it continue-as-new, and the
 * newest run alone would hide the runs before it. Each run's start names the run it continues.
 */
async function chainHistoryBytes(client: Client, sessionId: string): Promise<number> {
  let bytes = 0;
  let runId: string | undefined;
  for (let runs = 0; runs < MAX_RUNS; runs++) {
    const history = await client.workflow.getHandle(sessionId, runId).fetchHistory();
    bytes += temporal.api.history.v1.History.encode(history).finish().length;
    runId =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    if (!runId) return bytes;
  }
  throw new Error(`codec bench: session ${sessionId} has more than ${MAX_RUNS} runs`);
}
