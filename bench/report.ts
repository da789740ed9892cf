import { DEV_SERVER_DYNAMIC_CONFIG } from '../client/runtime/devServer';
import { PHASE_LABELS, type TurnPhases } from './historyProfile';
import type { ClusterResult } from './cluster';
import type { ConcurrencyLevel } from './concurrency';
import { machineLine } from './machine';
import { recoveryOverheadMs } from './recovery';
import type { BenchResults } from './results';
import { localCallSection } from './localCall';
import type { StartResult } from './start';
import { header, row } from './markdown';
import { parallelSection } from './parallelReport';

/** The short markdown report written next to latest.json. */
export function markdownReport(results: BenchResults, chartFile?: string): string {
  const { machine } = results;
  const busy = Math.max(machine.loadAverageAtStart, results.loadAverageAtEnd) > machine.cores;
  const lines = [
    '# council benchmark',
    '',
    `\`${results.command}\` on ${results.generatedAt.slice(0, 10)}, ${Math.round(results.durationSec)} s.`,
    '',
    `- Machine: ${machineLine(machine)}; ${results.loadAverageAtEnd} at the end.`,
    `- Temporal: \`temporal server start-dev\`, ${results.setup.server}, ` +
      `council's dynamic config ${JSON.stringify(DEV_SERVER_DYNAMIC_CONFIG)}` +
      (results.setup.serverConfig ? `, overrides ${JSON.stringify(results.setup.serverConfig)}.` : '.'),
    `- Worker: one process, createCouncilWorker, maxConcurrentActivityTaskExecutions ` +
      `${results.setup.workerMaxConcurrentCalls}` +
      (results.setup.workerOverrides ? `, overrides ${JSON.stringify(results.setup.workerOverrides)}` : '') +
      `; workflow bundle made once (${(results.setup.workflowBundleMs / 1000).toFixed(1)} s) and reused.`,
    `- LLM: aimock in its own process, fixed latency, short answers; the same openai provider code on both paths.`,
    ...(busy
      ? [
          `- **Noisy run**: the load average exceeded the ${machine.cores} cores, other work shared the CPU.` +
            ' Side-by-side ratios hold better than absolute times.',
        ]
      : []),
    '',
    '## Targets',
    '',
    ...header('measurement', 'target', 'measured', 'met'),
    ...results.targets.map((t) => row([t.measurement, t.target, t.measured, t.met ? 'yes' : '**no**'])),
  ];
  if (results.overhead) lines.push('', ...overheadSection(results.overhead));
  if (results.parallel) lines.push(...parallelSection(results.parallel));
  if (results.concurrency) {
    lines.push(
      '',
      '## 3. Concurrency (5 participants per session, broadcast, 1 s model latency, one worker)',
      '',
      ...concurrencyTable(results.concurrency),
      ...(chartFile ? ['', `![round latency and throughput by concurrency](${chartFile})`] : []),
    );
  }
  if (results.longSession) {
    const s = results.longSession;
    lines.push(
      '',
      `## 4. Long session (${s.turns} turns, one participant, zero model latency, ${s.runs} runs)`,
      '',
      ...header(
        'turns',
        'p50 / p99 (ms)',
        'control p50 (ms)',
        'ratio',
        'heap after GC (MiB)',
        'RSS (MiB)',
        'run',
        'run input (KiB)',
        'history msgs',
      ),
      ...s.windows.map((w) =>
        row([
          `${w.fromTurn}-${w.toTurn}`,
          `${w.p50} / ${w.p99}`,
          w.controlP50,
          w.ratioToControl,
          w.workerHeapUsedMiB,
          w.workerRssMiB,
          w.run,
          (w.runInputBytes / 1024).toFixed(1),
          w.participantHistoryMessages,
        ]),
      ),
      '',
      `Each window is compared with turns of a fresh session interleaved with it (control); ` +
        `ratio to control, late/early: ×${s.latencyGrowth}; heap growth ${s.heapGrowthMiB} MiB; ` +
        `carried state grows ${s.runInputBytesPerTurn} bytes per turn (the transcript).`,
    );
  }
  if (results.recovery) {
    lines.push(
      '',
      '## 5. Recovery (SIGKILL the worker; t0: a new one starts at once, or the kill when another already polls)',
      '',
      ...header(
        'scenario',
        'new worker',
        'heartbeat timeout',
        't0 → polling',
        'polling → resumed',
        't0 → resumed',
        't0 → round done',
        'polling → done, model time aside',
      ),
      ...results.recovery.scenarios.map((s) =>
        row([
          s.name +
            (s.killToRetryMs !== undefined ? ` (kill → retry ${(s.killToRetryMs / 1000).toFixed(1)} s)` : ''),
          s.worker,
          `${s.heartbeatTimeoutMs / 1000} s`,
          `${(s.toPollingMs / 1000).toFixed(1)} s`,
          `${((s.toResumedMs - s.toPollingMs) / 1000).toFixed(1)} s`,
          `${(s.toResumedMs / 1000).toFixed(1)} s`,
          `${(s.toRoundDoneMs / 1000).toFixed(1)} s`,
          // Results written before the field existed (re-rendered with --render) have no model time.
          Number.isFinite(recoveryOverheadMs(s))
            ? `${(recoveryOverheadMs(s) / 1000).toFixed(1)} s`
            : 'not measured',
        ]),
      ),
    );
  }
  if (results.codec) lines.push('', ...codecSection(results.codec));
  if (results.cluster) lines.push('', ...clusterSection(results.cluster));
  if (results.streaming) lines.push('', ...streamingSection(results.streaming));
  if (results.start) lines.push('', ...startSection(results.start));
  if (results.localCall) lines.push('', ...localCallSection(results.localCall));
  return `${lines.join('\n')}\n`;
}

function codecSection(c: NonNullable<BenchResults['codec']>): string[] {
  return [
    '## 6. Codec: the blob store per turn (one participant, zero model latency)',
    '',
    ...header(
      'variant',
      'answer (chars)',
      'p50 / p95 (ms)',
      'CPU ms per turn: worker / server / client (total)',
      'history bytes per turn',
    ),
    ...c.variants.map((v) =>
      row([
        v.name,
        v.answerChars,
        `${v.latency.p50} / ${v.latency.p95}`,
        `${v.cpuMsPerTurn.worker} / ${v.cpuMsPerTurn.server} / ${v.cpuMsPerTurn.client} (${v.cpuMsPerTurn.total})`,
        v.historyBytesPerTurn,
      ]),
    ),
    '',
    ...header('ratio', 'p50', 'p95', 'CPU', 'history bytes'),
    ...c.ratios.map((r) =>
      row([`${r.variant} / ${r.baseline}`, `×${r.p50}`, `×${r.p95}`, `×${r.cpu}`, `×${r.historyBytes}`]),
    ),
    '',
    `${c.turnsPerVariant} turns per variant, interleaved in a rotating order, sessions of ${c.sessionTurns} turns ` +
      `(a participant's carried history grows by an answer a turn). Threshold ${c.thresholdBytes} bytes: small ` +
      'answers stay inline with the store on, so their row is the cost of having it configured. CPU from /proc ' +
      'around each turn; the client is this process (it reads offloaded results too).',
  ];
}

function overheadSection(o: NonNullable<BenchResults['overhead']>): string[] {
  return [
    '## 1. Overhead per participant turn (zero model latency)',
    '',
    ...header('path', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)'),
    row(['direct: the activity function in-process, no Temporal', o.direct.p50, o.direct.p95, o.direct.p99]),
    row(['council: sendMessage round trip, 1 participant', o.council.p50, o.council.p95, o.council.p99]),
    row(['overhead (council − direct)', o.overheadMs.p50, o.overheadMs.p95, o.overheadMs.p99]),
    row(['ratio (council / direct)', `×${o.ratio.p50}`, `×${o.ratio.p95}`, `×${o.ratio.p99}`]),
    '',
    `${o.turns} turns per path, interleaved, sessions of ${o.sessionLength} turns. Inside a roundRobin round of 4 ` +
      `(no update round trip per turn): council ${o.inRound.council.p50} ms vs direct ${o.inRound.direct.p50} ms ` +
      `per turn (overhead ${o.inRound.overheadP50} ms, ×${o.inRound.ratioP50}).`,
    '',
    `CPU per council turn: worker ${o.cpuMsPerTurn.worker} ms, Temporal server ${o.cpuMsPerTurn.server} ms ` +
      '(from /proc, so other load on the machine does not inflate it).',
    '',
    'Where a council turn goes (medians, from the workflow history and client clocks):',
    '',
    ...header('phase', 'ms'),
    ...(Object.keys(PHASE_LABELS) as Array<keyof TurnPhases>).map((key) =>
      row([PHASE_LABELS[key], o.phases[key]]),
    ),
  ];
}

/** One row per level: throughput, latency, memory, CPU by process, history events and actions per turn. */
function concurrencyTable(levels: ConcurrencyLevel[]): string[] {
  return [
    ...header(
      'sessions',
      'rounds played',
      'completed / failed',
      'model calls per turn (made again)',
      'turns/s (ideal)',
      'round p50 / p99 (s)',
      'worker RSS peak (MiB)',
      'CPU s: worker / server / client',
      'CPU ms per turn (CPU-bound turns/s)',
      'worker task wait: workflow / activity (ms)',
      'history events / Cloud actions per turn',
    ),
    ...levels.map((l) =>
      row([
        l.sessions,
        l.roundsPlayed,
        `${l.completedSessions} / ${l.failedSessions}`,
        `${l.modelCallsPerTurn} (${l.extraModelCalls ?? '-'})`,
        `${l.throughputTurnsPerSec} (${l.idealTurnsPerSec})`,
        `${(l.roundLatencyMs.p50 / 1000).toFixed(2)} / ${(l.roundLatencyMs.p99 / 1000).toFixed(2)}`,
        l.workerRssPeakMiB,
        `${l.cpuSeconds.worker} / ${l.cpuSeconds.server} / ${l.cpuSeconds.benchClient}`,
        `${l.cpuMsPerTurn} (${l.cpuBoundTurnsPerSec})`,
        `${Math.round(l.worker.workflowTaskScheduleToStart)} / ${Math.round(l.worker.activityScheduleToStart)}`,
        `${l.historyEventsPerTurn ?? '-'} / ${l.billableActionsPerTurn ?? '-'}`,
      ]),
    ),
    ...levels.flatMap((l) =>
      l.errors.length ? ['', `Errors at ${l.sessions}: ${l.errors.map((e) => `\`${e}\``).join('; ')}`] : [],
    ),
    '',
    'Server CPU s by process: ' +
      levels
        .map((l) =>
          Object.entries(l.serverCpuByProcess ?? {})
            .map(([name, seconds]) => `${name} ${seconds}`)
            .join(', '),
        )
        .map((text, i) => `${levels[i]?.sessions} sessions: ${text || '-'}`)
        .join('; ') +
      '.',
  ];
}

function clusterSection(c: ClusterResult): string[] {
  return [
    '## 7. Concurrency on the production cluster (four services, PostgreSQL, same machine)',
    '',
    `The server docker-compose.yml deploys, started as the cluster tier does (${Object.entries(c.startMs)
      .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
      .join(', ')}); same worker, bundle, mock LLM and levels as measurement 3.`,
    '',
    ...concurrencyTable(c.levels),
    ...(c.versusDevServer.length
      ? [
          '',
          ...header('sessions', 'turns/s: cluster / dev server', 'CPU ms per turn: cluster / dev server'),
          ...c.versusDevServer.map((v) =>
            row([v.sessions, `×${v.throughputRatio}`, `×${v.cpuPerTurnRatio}`]),
          ),
        ]
      : []),
  ];
}

function streamingSection(s: NonNullable<BenchResults['streaming']>): string[] {
  const t = s.tokensToScreen;
  return [
    '## 8. Streaming: tokens to a watcher, and what it costs',
    '',
    `Tokens to screen (chunk sent by the model server → onToken): p50 ${t.p50} ms, p95 ${t.p95} ms, ` +
      `p99 ${t.p99} ms, max ${t.max} ms (${t.count} chunks, ${Math.round(s.chunksShownShare * 100)}% of those ` +
      'streamed: the last ones come with the answer).',
    '',
    ...header(
      'variant',
      'history bytes per answer',
      'history events',
      'server CPU ms per answer',
      'answer p50 (ms)',
    ),
    ...s.variants.map((v) =>
      row([
        v.watched ? 'with a watcher' : 'without a watcher',
        v.historyBytesPerAnswer,
        v.historyEventsPerAnswer,
        v.serverCpuMsPerAnswer,
        v.answerMs.p50,
      ]),
    ),
    '',
    `${s.answersPerVariant} one-answer sessions per variant, alternating; each answer streams ${s.chunksPerAnswer} ` +
      `stamped chunks ${s.gapMs} ms apart (bench/stampServer.ts). Settings: a beat at most every ` +
      `${s.settings.beatMs} ms, worker heartbeat throttle ${s.settings.heartbeatThrottle} ms, watcher poll ` +
      `${s.settings.pollMs} ms, tail ${s.settings.tailChars} characters. Every answer streams its heartbeats ` +
      'either way: the watcher adds only its reads (DescribeWorkflowExecution).',
  ];
}

function startSection(start: StartResult): string[] {
  const ratio = (ms: number) => `${ms} (×${(ms / start.nodeMs).toFixed(1)})`;
  return [
    '## 9. Start (built CLI, `council run --simulate`, one 2-participant round, fresh process)',
    '',
    ...header('data dir', 'first line (ms)', 'first answer (ms)', 'exit (ms)'),
    ...(['warm', 'fresh', 'withServer'] as const).map((kind) =>
      row([
        kind === 'withServer' ? 'warm, `council server --worker` running' : kind,
        ratio(start[kind].firstLineMs),
        ratio(start[kind].firstAnswerMs),
        ratio(start[kind].exitMs),
      ]),
    ),
    '',
    `Medians of ${start.samples} interleaved runs each; ×: ratio to \`node -e ""\` (${start.nodeMs} ms) in the same run.`,
    'With `council server --worker` running, the run borrows its server and leaves its calls to that ' +
      "server's simulated worker (it starts none of its own); " +
      `who served the calls (runs): ${Object.entries(start.withServerServedBy)
        .map(([by, count]) => `${by} ${count}`)
        .join(', ')}.`,
  ];
}
