import { MultiParticipantSession } from '../client/api/session';
import { DirectSession } from './direct';
import { benchModel, type BenchContext } from './harness';
import { cpuSeconds, serverCpuSeconds } from './machine';
import { eventCounts, medianPhases, turnPhases, type TurnPhases } from './historyProfile';
import type { WorkerMetrics } from './processes';
import { round2, summarize, type LatencySummary } from './stats';

/** Result of measurement 1: per-turn cost with and without Temporal, zero model latency. */
export interface OverheadResult {
  turns: number;
  sessionLength: number;
  direct: LatencySummary;
  council: LatencySummary;
  overheadMs: { p50: number; p95: number; p99: number };
  ratio: { p50: number; p95: number; p99: number };
  /** roundRobin of 4: a turn inside a round, without the update round trip of each turn. */
  inRound: { direct: LatencySummary; council: LatencySummary; overheadP50: number; ratioP50: number };
  phases: TurnPhases;
  /** CPU ms per single-participant turn (council path), by process: independent of other load. */
  cpuMsPerTurn: { worker: number; server: number };
  eventsPerTurn: Record<string, number>;
  workerMetrics: WorkerMetrics;
}

const SESSION_LENGTH = 100;
const WARMUP = 20;
const model = benchModel(0);

/**
 * Interleaves the two paths turn by turn so both see the same machine load: one turn through a
 * council session (client update → workflow → activity → LLM → back), one direct call of the same
 * activity code with the same prompt. Sessions are renewed every 100 turns.
 */
export async function measureOverhead(ctx: BenchContext): Promise<OverheadResult> {
  const worker = await ctx.startWorker('overhead', { metrics: true });
  try {
    const direct: number[] = [];
    const council: number[] = [];
    const phases: TurnPhases[] = [];
    let events: Record<string, number> = {};
    // The direct path runs in this process: worker and server CPU are the council path's alone.
    const cpuStart = { worker: cpuSeconds(worker.pid), server: serverCpuSeconds(ctx.server.processes) };
    const sessions = Math.ceil(ctx.options.samples / SESSION_LENGTH);
    for (let s = 0; s < sessions; s++) {
      const session = await MultiParticipantSession.create(
        ctx.client,
        { strategy: 'roundRobin', participants: [{ name: 'A', role: 'panelist', model }] },
        { taskQueue: worker.taskQueue, sessionId: `bench-overhead-${s}-${Date.now()}` },
      );
      const mirror = new DirectSession(ctx.mock.url, ['A'], model);
      const turns = s === 0 ? WARMUP + SESSION_LENGTH : SESSION_LENGTH;
      const sends: number[] = [];
      const receives: number[] = [];
      for (let t = 0; t < turns; t++) {
        const content = `Turn ${t}: what should we do next?`;
        const timeCouncil = async () => {
          sends.push(Date.now());
          const started = performance.now();
          await session.sendMessage('user', content);
          const elapsed = performance.now() - started;
          receives.push(Date.now());
          return elapsed;
        };
        const timeDirect = async () => (await mirror.sequentialRound(content))[0] ?? Number.NaN;
        // Alternate which path goes first, so neither always follows the other's work.
        let c: number;
        let d: number;
        if (t % 2 === 0) {
          c = await timeCouncil();
          d = await timeDirect();
        } else {
          d = await timeDirect();
          c = await timeCouncil();
        }
        if (s > 0 || t >= WARMUP) {
          council.push(c);
          direct.push(d);
        }
      }
      const history = await ctx.client.workflow.getHandle(session.sessionId).fetchHistory();
      const sessionPhases = turnPhases(history, sends, receives);
      phases.push(...(s === 0 ? sessionPhases.slice(WARMUP) : sessionPhases));
      if (s === 0) events = perTurn(eventCounts(history), turns);
      await session.close();
      ctx.log(`overhead: ${council.length}/${ctx.options.samples} turns per path`);
    }
    const turnsRun = sessions * SESSION_LENGTH + WARMUP;
    const cpuMsPerTurn = {
      worker: round2(((cpuSeconds(worker.pid) - cpuStart.worker) * 1000) / turnsRun),
      server: round2(((serverCpuSeconds(ctx.server.processes) - cpuStart.server) * 1000) / turnsRun),
    };
    const inRound = await measureInRound(ctx, worker.taskQueue);
    const d = summarize(direct);
    const c = summarize(council);
    return {
      turns: council.length,
      sessionLength: SESSION_LENGTH,
      direct: d,
      council: c,
      overheadMs: { p50: round2(c.p50 - d.p50), p95: round2(c.p95 - d.p95), p99: round2(c.p99 - d.p99) },
      ratio: { p50: round2(c.p50 / d.p50), p95: round2(c.p95 / d.p95), p99: round2(c.p99 / d.p99) },
      inRound,
      phases: medianPhases(phases),
      cpuMsPerTurn,
      eventsPerTurn: events,
      workerMetrics: await worker.metrics(),
    };
  } finally {
    await worker.stop();
  }
}

const IN_ROUND_PARTICIPANTS = 4;

/** roundRobin of 4 participants: council's per-turn time is the round's wall time / 4. */
async function measureInRound(ctx: BenchContext, taskQueue: string): Promise<OverheadResult['inRound']> {
  const names = Array.from({ length: IN_ROUND_PARTICIPANTS }, (_, i) => `P${i + 1}`);
  const session = await MultiParticipantSession.create(
    ctx.client,
    { strategy: 'roundRobin', participants: names.map((name) => ({ name, role: 'panelist', model })) },
    { taskQueue, sessionId: `bench-overhead-rr-${Date.now()}` },
  );
  const mirror = new DirectSession(ctx.mock.url, names, model);
  const council: number[] = [];
  const direct: number[] = [];
  const rounds = Math.max(10, Math.round(ctx.options.samples / IN_ROUND_PARTICIPANTS / 2));
  for (let r = 0; r < rounds + 3; r++) {
    const content = `Round ${r}: discuss.`;
    const started = performance.now();
    await session.sendMessage('user', content);
    const perTurn = (performance.now() - started) / IN_ROUND_PARTICIPANTS;
    const calls = await mirror.sequentialRound(content);
    if (r < 3) continue;
    council.push(perTurn);
    direct.push(calls.reduce((sum, ms) => sum + ms, 0) / calls.length);
  }
  await session.close();
  const d = summarize(direct);
  const c = summarize(council);
  return { direct: d, council: c, overheadP50: round2(c.p50 - d.p50), ratioP50: round2(c.p50 / d.p50) };
}

function perTurn(counts: Record<string, number>, turns: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([kind, n]) => [kind, round2(n / turns)]));
}
