import type { ClusterResult } from './cluster';
import type { CodecResult } from './codec';
import type { ConcurrencyLevel } from './concurrency';
import type { LocalCallResult } from './localCall';
import type { LongSessionResult } from './longSession';
import type { MachineDescription } from './machine';
import type { OverheadResult } from './overhead';
import type { ParallelResult } from './parallel';
import { parallelTargets } from './parallelReport';
import { RECOVERY_TARGET_MS, recoveryOverheadMs, type RecoveryResult } from './recovery';
import type { StartResult } from './start';
import type { StreamingResult } from './streaming';

/** Everything one `npm run bench` measured: written as latest.json. */
export interface BenchResults {
  schemaVersion: 1;
  generatedAt: string;
  command: string;
  /** False for partial, quick or experimental runs. */
  canonical: boolean;
  machine: MachineDescription;
  loadAverageAtEnd: number;
  durationSec: number;
  setup: {
    server: string;
    workflowBundleMs: number;
    workerMaxConcurrentCalls: number | 'council default';
    workerOverrides?: Record<string, unknown>;
    serverConfig?: Record<string, unknown>;
  };
  overhead?: OverheadResult;
  parallel?: ParallelResult;
  concurrency?: ConcurrencyLevel[];
  longSession?: LongSessionResult;
  recovery?: RecoveryResult;
  codec?: CodecResult;
  cluster?: ClusterResult;
  streaming?: StreamingResult;
  start?: StartResult;
  localCall?: LocalCallResult;
  targets: Target[];
}

export interface Target {
  measurement: string;
  target: string;
  measured: string;
  met: boolean;
}

/**
 * Long-session latency counts as flat when, measured against a fresh session's turns interleaved with
 * it, the last windows are within 25% of windows 2-4.
 */
export const FLAT_LATENCY_RATIO = 1.25;
/** ... and retained heap grows by less than this over the session. */
export const FLAT_HEAP_GROWTH_MIB = 20;

export function evaluateTargets(results: Omit<BenchResults, 'targets'>): Target[] {
  const targets: Target[] = [];
  const { overhead, parallel, concurrency, longSession } = results;
  if (overhead) {
    targets.push({
      measurement: '1. overhead per turn',
      target: 'p50 overhead <= 10 ms',
      measured: `${overhead.overheadMs.p50} ms (council p50 ${overhead.council.p50} ms vs direct ${overhead.direct.p50} ms, x${overhead.ratio.p50})`,
      met: overhead.overheadMs.p50 <= 10,
    });
  }
  if (parallel) targets.push(...parallelTargets(parallel));
  const thousand = concurrency?.find((level) => level.sessions === 1000);
  if (thousand) {
    targets.push({
      measurement: '3. concurrency',
      target: '1,000 concurrent sessions, zero failures',
      measured: `${thousand.completedSessions} completed, ${thousand.failedSessions} failed (${thousand.failedTurns} failed turns)`,
      met: thousand.failedSessions === 0,
    });
  }
  if (longSession) {
    targets.push({
      measurement: '4. long session',
      target: `flat: p50 vs fresh session, late/early <= ${FLAT_LATENCY_RATIO}; heap growth < ${FLAT_HEAP_GROWTH_MIB} MiB`,
      measured:
        `late/early ×${longSession.latencyGrowth}, heap ${longSession.heapGrowthMiB >= 0 ? '+' : ''}` +
        `${longSession.heapGrowthMiB} MiB over ${longSession.turns} turns, ${longSession.runs} runs`,
      met:
        longSession.latencyGrowth <= FLAT_LATENCY_RATIO && longSession.heapGrowthMiB < FLAT_HEAP_GROWTH_MIB,
    });
  }
  if (results.recovery) targets.push(...recoveryTargets(results.recovery));
  if (results.start) targets.push(...startTargets(results.start));
  return targets;
}

/**
 * Issue 20 target 4, for each scenario: from the new worker polling (its start-up is target 1's) to
 * the round done, less the model time the round still had to spend. The t0 figures are shown too.
 */
function recoveryTargets(recovery: RecoveryResult): Target[] {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return recovery.scenarios.map((s) => ({
    measurement: `5. recovery: ${s.name}, ${s.worker}`,
    target: `round done <= ${seconds(RECOVERY_TARGET_MS)} after the new worker polls, besides the model time left`,
    measured:
      `${seconds(recoveryOverheadMs(s))} (polling → done ${seconds(s.toRoundDoneMs - s.toPollingMs)}, ` +
      `model time left ${seconds(s.modelTimeLeftMs)}; spawn → polling ${seconds(s.toPollingMs)}` +
      (s.killToRetryMs !== undefined ? `; kill → retried call ${seconds(s.killToRetryMs)}` : '') +
      `; default heartbeat timeout ${seconds(s.heartbeatTimeoutMs)})`,
    met: recoveryOverheadMs(s) <= RECOVERY_TARGET_MS,
  }));
}

/** Issue 20 target 1 and issue 14's CLI start, each also as a ratio to Node's own start. */
function startTargets(start: StartResult): Target[] {
  const { nodeMs, warm, fresh, withServer } = start;
  const ms = (value: number) => `${value} ms (×${(value / nodeMs).toFixed(1)} node -e "" = ${nodeMs} ms)`;
  return [
    {
      measurement: '9. start: first line',
      target: 'first output line <= 300 ms (warm data dir)',
      measured: ms(warm.firstLineMs),
      met: warm.firstLineMs <= 300,
    },
    {
      measurement: '9. start: warm run',
      target: 'first answer <= 1.0 s + node start; exit <= 1.5 s + node start',
      measured: `answer ${ms(warm.firstAnswerMs)}, exit ${ms(warm.exitMs)}`,
      met: warm.firstAnswerMs <= 1000 + nodeMs && warm.exitMs <= 1500 + nodeMs,
    },
    {
      measurement: '9. start: warm, `council server --worker` running',
      target: 'first answer <= 1.0 s + node start; exit <= 1.5 s + node start',
      measured:
        `answer ${ms(withServer.firstAnswerMs)}, exit ${ms(withServer.exitMs)}; served by ` +
        Object.entries(start.withServerServedBy)
          .map(([by, count]) => `${by} ×${count}`)
          .join(', '),
      met: withServer.firstAnswerMs <= 1000 + nodeMs && withServer.exitMs <= 1500 + nodeMs,
    },
    {
      measurement: '9. start: fresh data dir',
      target: 'exit <= 2.5 s',
      measured: `first line ${fresh.firstLineMs} ms, answer ${fresh.firstAnswerMs} ms, exit ${ms(fresh.exitMs)}`,
      met: fresh.exitMs <= 2500,
    },
  ];
}
