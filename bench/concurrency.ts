import os from 'node:os';
import { MultiParticipantSession } from '../client/api/session';
import { benchModel, type BenchContext } from './harness';
import { billableActions } from './historyProfile';
import {
  cpuSeconds,
  loadAverage,
  round1,
  serverCpuByProcess,
  serverCpuSeconds,
  serverRssMiB,
} from './machine';
import type { WorkerMetrics } from './processes';
import { librarySend, retryingSend } from './sendRound';
import { mapLimit, round2, summarize, type LatencySummary } from './stats';

/** One level of measurement 3: N concurrent sessions of 5 participants, 1 s model latency, one worker. */
export interface ConcurrencyLevel {
  sessions: number;
  participants: number;
  /** Rounds each session was asked to play; after the time budget, sessions start no new round. */
  roundsPerSession: number;
  /** Rounds actually played (every session plays at least one). */
  roundsPlayed: number;
  /** Time to start all sessions (50 starts in flight at once). */
  startAllMs: number;
  completedSessions: number;
  failedSessions: number;
  okTurns: number;
  failedTurns: number;
  /**
   * Requests the LLM mock answered per turn played: above 1 when calls were made again (an attempt
   * lost to the heartbeat timeout on a worker too busy to beat, or a failed one).
   */
  modelCallsPerTurn: number;
  /** Requests beyond one per turn played: calls made again. Absent in results recorded before it. */
  extraModelCalls?: number;
  errors: string[];
  wallMs: number;
  throughputTurnsPerSec: number;
  /** What an unbounded system would do: every session's 5 turns each second. */
  idealTurnsPerSec: number;
  roundLatencyMs: LatencySummary;
  workerRssPeakMiB: number;
  workerHeapUsedMiB: number;
  serverRssMiB: number;
  /** CPU seconds of each server process during the rounds (one for the dev server; services on a cluster). */
  serverCpuByProcess: Record<string, number>;
  /** History events and estimated Temporal Cloud actions per participant turn, from sampled sessions. */
  historyEventsPerTurn: number;
  billableActionsPerTurn: number;
  /** CPU seconds each process used during the rounds, and the share of the machine they add up to. */
  cpuSeconds: { worker: number; server: number; llmMock: number; benchClient: number };
  machineCpuBusy: number;
  /** CPU ms per completed turn, all processes: the load-independent cost of a turn. */
  cpuMsPerTurn: number;
  /** What the machine's cores could sustain at that cost if nothing else ran: cores × 1000 / cpuMsPerTurn. */
  cpuBoundTurnsPerSec: number;
  /** Means from the worker's own metrics, ms. */
  worker: {
    workflowTaskScheduleToStart: number;
    workflowTaskExecution: number;
    activityScheduleToStart: number;
    activityExecution: number;
  };
  loadAverage: number;
}

const PARTICIPANTS = 5;
/** Sessions whose histories are read for events and actions per turn. */
const HISTORY_SAMPLES = 3;
const LATENCY_MS = 1000;
/** Keeps the whole bench near 10 minutes: past this, a session that played a round starts no other. */
const ROUND_BUDGET_MS = 45_000;

export async function measureConcurrency(ctx: BenchContext): Promise<ConcurrencyLevel[]> {
  const levels: ConcurrencyLevel[] = [];
  for (const sessions of ctx.options.levels) levels.push(await measureLevel(ctx, sessions));
  return levels;
}

async function measureLevel(ctx: BenchContext, sessionCount: number): Promise<ConcurrencyLevel> {
  const worker = await ctx.startWorker(`concurrency-${sessionCount}`, { metrics: true });
  worker.sampleRss();
  const model = benchModel(LATENCY_MS);
  const participants = Array.from({ length: PARTICIPANTS }, (_, i) => ({
    name: `C${i + 1}`,
    role: 'panelist' as const,
    model,
  }));
  const rounds = ctx.options.rounds;
  const send = ctx.options.updateRetry ? retryingSend(ctx.client) : librarySend;
  const prefix = `bench-c${sessionCount}-${Date.now()}`;
  try {
    ctx.log(`concurrency ${sessionCount}: starting ${sessionCount} sessions`);
    const startAll = performance.now();
    const sessions = await mapLimit(
      Array.from({ length: sessionCount }, (_, i) => i),
      50,
      (i) =>
        MultiParticipantSession.create(
          ctx.client,
          { strategy: 'broadcast', participants },
          { taskQueue: worker.taskQueue, sessionId: `${prefix}-${i}` },
        ),
    );
    const startAllMs = performance.now() - startAll;
    const requestsBefore = (await ctx.mock.stats(Date.now())).requests;
    const cpuBefore = cpuSnapshot(ctx, worker.pid);
    const serverCpuBefore = serverCpuByProcess(ctx.server.processes);
    const latencies: number[] = [];
    const errors = new Set<string>();
    let okTurns = 0;
    let failedTurns = 0;
    let roundsDone = 0;
    let failedRounds = 0;
    const progress = setInterval(
      () => ctx.log(`concurrency ${sessionCount}: ${roundsDone}/${sessionCount * rounds} rounds done`),
      5000,
    );
    const wallStart = performance.now();
    const outcomes = await Promise.all(
      sessions.map(async (session) => {
        let ok = true;
        for (let r = 0; r < rounds; r++) {
          if (r > 0 && performance.now() - wallStart > ROUND_BUDGET_MS) break;
          const started = performance.now();
          try {
            const responses = await send(session, `Round ${r}: your view?`);
            latencies.push(performance.now() - started);
            for (const response of responses) {
              if (response.status === 'ok') okTurns += 1;
              else {
                failedTurns += 1;
                ok = false;
                errors.add(`${response.status}: ${response.error?.type}: ${response.error?.message}`);
              }
            }
          } catch (error) {
            failedRounds += 1;
            failedTurns += PARTICIPANTS;
            ok = false;
            errors.add(String(error));
          }
          roundsDone += 1;
        }
        return ok;
      }),
    );
    const wallMs = performance.now() - wallStart;
    clearInterval(progress);
    const modelCalls = (await ctx.mock.stats(Date.now())).requests - requestsBefore;
    const cpu = cpuDelta(cpuBefore, cpuSnapshot(ctx, worker.pid));
    const serverCpu = serverCpuByProcess(ctx.server.processes);
    const perTurn = await historyPerTurn(ctx, sessions.slice(0, HISTORY_SAMPLES));
    const memory = await worker.memory();
    const metrics = await worker.metrics();
    const completed = outcomes.filter(Boolean).length;
    const cpuTotal = cpu.worker + cpu.server + cpu.llmMock + cpu.benchClient;
    const cpuMsPerTurn = (cpuTotal * 1000) / Math.max(1, okTurns);
    ctx.log(
      `concurrency ${sessionCount}: ${completed}/${sessionCount} sessions ok, ` +
        `${(okTurns / (wallMs / 1000)).toFixed(0)} turns/s, p99 round ${summarize(latencies).p99.toFixed(0)} ms`,
    );
    const level: ConcurrencyLevel = {
      sessions: sessionCount,
      participants: PARTICIPANTS,
      roundsPerSession: rounds,
      roundsPlayed: latencies.length + failedRounds,
      startAllMs: Math.round(startAllMs),
      completedSessions: completed,
      failedSessions: sessionCount - completed,
      okTurns,
      failedTurns,
      modelCallsPerTurn: round2(modelCalls / Math.max(1, okTurns + failedTurns)),
      extraModelCalls: modelCalls - (okTurns + failedTurns),
      errors: [...errors].slice(0, 5),
      wallMs: Math.round(wallMs),
      throughputTurnsPerSec: round1(okTurns / (wallMs / 1000)),
      idealTurnsPerSec: (sessionCount * PARTICIPANTS * 1000) / LATENCY_MS,
      roundLatencyMs: summarize(latencies),
      workerRssPeakMiB: worker.peakRssMiB(),
      workerHeapUsedMiB: round1(memory.heapUsedMiB),
      serverRssMiB: serverRssMiB(ctx.server.processes),
      serverCpuByProcess: Object.fromEntries(
        Object.entries(serverCpu).map(([name, seconds]) => [
          name,
          round1(seconds - (serverCpuBefore[name] ?? 0)),
        ]),
      ),
      ...perTurn,
      cpuSeconds: cpu,
      machineCpuBusy: round2(cpuTotal / ((wallMs / 1000) * os.cpus().length)),
      cpuMsPerTurn: round2(cpuMsPerTurn),
      cpuBoundTurnsPerSec: Math.round((os.cpus().length * 1000) / cpuMsPerTurn),
      worker: {
        workflowTaskScheduleToStart: mean(metrics, 'temporal_workflow_task_schedule_to_start_latency'),
        workflowTaskExecution: mean(metrics, 'temporal_workflow_task_execution_latency'),
        activityScheduleToStart: mean(metrics, 'temporal_activity_schedule_to_start_latency'),
        activityExecution: mean(metrics, 'temporal_activity_execution_latency'),
      },
      loadAverage: loadAverage(),
    };
    await mapLimit(sessions, 50, (session) =>
      ctx.client.workflow
        .getHandle(session.sessionId)
        .terminate('bench level done')
        .catch(() => undefined),
    );
    return level;
  } finally {
    await worker.stop();
  }
}

type CpuSnapshot = ConcurrencyLevel['cpuSeconds'];

function cpuSnapshot(ctx: BenchContext, workerPid: number): CpuSnapshot {
  return {
    worker: cpuSeconds(workerPid),
    server: serverCpuSeconds(ctx.server.processes),
    llmMock: cpuSeconds(ctx.mock.pid),
    benchClient: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  };
}

function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return {
    worker: round1(after.worker - before.worker),
    server: round1(after.server - before.server),
    llmMock: round1(after.llmMock - before.llmMock),
    benchClient: round1(after.benchClient - before.benchClient),
  };
}

/** Events and actions per turn over the sampled sessions' histories (start and rounds, before terminate). */
async function historyPerTurn(
  ctx: BenchContext,
  sessions: MultiParticipantSession[],
): Promise<Pick<ConcurrencyLevel, 'historyEventsPerTurn' | 'billableActionsPerTurn'>> {
  let events = 0;
  let actions = 0;
  let turns = 0;
  for (const session of sessions) {
    const history = await ctx.client.workflow.getHandle(session.sessionId).fetchHistory();
    events += history.events?.length ?? 0;
    actions += billableActions(history);
    turns += (await session.view()).round * PARTICIPANTS;
  }
  return {
    historyEventsPerTurn: round2(events / Math.max(1, turns)),
    billableActionsPerTurn: round2(actions / Math.max(1, turns)),
  };
}

function mean(metrics: WorkerMetrics, name: string): number {
  const metric = metrics[name];
  return metric && metric.count > 0 ? round2(metric.sum / metric.count) : Number.NaN;
}
