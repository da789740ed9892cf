import { MultiParticipantSession } from '../client/api/session';
import { benchModel, type BenchContext } from './harness';
import { round1 } from './machine';
import { round2, summarize } from './stats';

/** Turns per measured window. */
const WINDOW = 100;
/** Every this many turns of the long session, one turn of a fresh control session. */
const CONTROL_EVERY = 10;

/** One window of the long session: turns [fromTurn, toTurn). */
export interface LongSessionWindow {
  fromTurn: number;
  toTurn: number;
  p50: number;
  p99: number;
  /** p50 of a fresh session's turns interleaved with this window's (same worker, same moment). */
  controlP50: number;
  /** p50 / controlP50: background load cancels out; growth here is the long session's own. */
  ratioToControl: number;
  /** Worker memory after a full GC, so growth is retained memory, not garbage not yet collected. */
  workerHeapUsedMiB: number;
  workerRssMiB: number;
  /** Which workflow run served the end of the window (continue-as-new starts a new one). */
  run: number;
  historyEvents: number;
  historyBytes: number;
  /** Size of the state this run was started with (the carried session), bytes. */
  runInputBytes: number;
  transcriptEntries: number;
  participantHistoryMessages: number;
}

export interface LongSessionResult {
  turns: number;
  modelLatencyMs: number;
  windows: LongSessionWindow[];
  runs: number;
  /** Median ratioToControl of the last 3 windows / of windows 2-4: ~1 when latency is flat. */
  latencyGrowth: number;
  /** Heap after GC at the end minus after window 2, MiB. */
  heapGrowthMiB: number;
  /** Growth of the carried state per turn, bytes: the transcript travels with every continue-as-new. */
  runInputBytesPerTurn: number;
}

/** One session, one participant, zero model latency, `turns` rounds back to back. */
export async function measureLongSession(ctx: BenchContext): Promise<LongSessionResult> {
  const worker = await ctx.startWorker('long');
  const model = benchModel(0);
  try {
    const session = await MultiParticipantSession.create(
      ctx.client,
      { strategy: 'roundRobin', participants: [{ name: 'L', role: 'panelist', model }] },
      { taskQueue: worker.taskQueue, sessionId: `bench-long-${Date.now()}` },
    );
    const handle = ctx.client.workflow.getHandle(session.sessionId);
    const windows: LongSessionWindow[] = [];
    const runInputs = new Map<string, RunInput>();
    let latencies: number[] = [];
    let control: MultiParticipantSession | undefined;
    let controlLatencies: number[] = [];
    for (let turn = 0; turn < ctx.options.turns; turn++) {
      const started = performance.now();
      await session.sendMessage('user', `Turn ${turn}: go on.`);
      latencies.push(performance.now() - started);
      if (turn % CONTROL_EVERY === CONTROL_EVERY - 1) {
        control ??= await MultiParticipantSession.create(
          ctx.client,
          { strategy: 'roundRobin', participants: [{ name: 'K', role: 'panelist', model }] },
          { taskQueue: worker.taskQueue, sessionId: `bench-long-control-${turn}-${Date.now()}` },
        );
        const controlStarted = performance.now();
        await control.sendMessage('user', `Turn ${turn}: go on.`);
        controlLatencies.push(performance.now() - controlStarted);
      }
      if ((turn + 1) % WINDOW !== 0 && turn + 1 !== ctx.options.turns) continue;
      await control?.close();
      control = undefined;
      const description = await handle.describe();
      const runId = description.runId;
      if (!runInputs.has(runId)) runInputs.set(runId, await runInput(ctx, session.sessionId, runId));
      const view = await session.view();
      const memory = await worker.memory(true);
      const summary = summarize(latencies);
      const controlP50 = summarize(controlLatencies).p50;
      windows.push({
        fromTurn: turn + 1 - latencies.length,
        toTurn: turn + 1,
        p50: summary.p50,
        p99: summary.p99,
        controlP50,
        ratioToControl: round2(summary.p50 / controlP50),
        workerHeapUsedMiB: round1(memory.heapUsedMiB),
        workerRssMiB: round1(memory.rssMiB),
        run: view.runs,
        historyEvents: description.historyLength,
        historyBytes: Number(description.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
        runInputBytes: runInputs.get(runId)?.bytes ?? 0,
        transcriptEntries: view.transcriptLength,
        participantHistoryMessages: view.participants[0]?.historyLength ?? 0,
      });
      latencies = [];
      controlLatencies = [];
      if (windows.length % 5 === 0) {
        ctx.log(
          `long session: ${turn + 1}/${ctx.options.turns} turns, run ${view.runs}, p50 ${summary.p50} ms`,
        );
      }
    }
    await session.close();
    // The first window warms up (JIT, connections): the baseline is the next three.
    const early = windows.length > 4 ? windows.slice(1, 4) : windows.slice(0, 1);
    const late = windows.length > 4 ? windows.slice(-3) : windows.slice(-1);
    const first = early[0];
    const last = windows[windows.length - 1];
    const inputs = [...runInputs.values()].filter((input) => input.round > 0);
    const firstRun = inputs[0];
    const lastRun = inputs[inputs.length - 1];
    return {
      turns: ctx.options.turns,
      modelLatencyMs: 0,
      windows,
      runs: last?.run ?? 0,
      latencyGrowth: round2(
        median(late.map((w) => w.ratioToControl)) / median(early.map((w) => w.ratioToControl)),
      ),
      heapGrowthMiB: first && last ? round1(last.workerHeapUsedMiB - first.workerHeapUsedMiB) : Number.NaN,
      runInputBytesPerTurn:
        firstRun && lastRun && lastRun !== firstRun
          ? round1((lastRun.bytes - firstRun.bytes) / (lastRun.round - firstRun.round))
          : Number.NaN,
    };
  } finally {
    await worker.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface RunInput {
  bytes: number;
  /** Rounds played before this run started: 0 for the first run. */
  round: number;
}

/** Size of the input payloads of a run's first event (the config, or the state carried over). */
async function runInput(ctx: BenchContext, workflowId: string, runId: string): Promise<RunInput> {
  const response = await ctx.client.workflowService.getWorkflowExecutionHistory({
    namespace: ctx.server.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const payloads = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const first = payloads?.[0]?.data;
  const input = first
    ? (JSON.parse(Buffer.from(first).toString('utf8')) as { state?: { round?: number } })
    : {};
  return {
    bytes: (payloads ?? []).reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0),
    round: input.state?.round ?? 0,
  };
}
