import { MultiParticipantSession } from '../client/api/session';
import { DirectSession } from './direct';
import { benchModel, type BenchContext } from './harness';
import { round2, summarize, type LatencySummary } from './stats';

/** Result of measurement 2: one broadcast round of 16 participants whose model takes 1 s. */
export interface ParallelResult {
  participants: number;
  modelLatencyMs: number;
  rounds: number;
  /** Client-observed wall time of each council round. */
  councilWallMs: LatencySummary;
  /** 1 s / wall time, from the median round: 1 is perfect. */
  efficiency: number;
  /** The same 16 calls made at once in-process, no Temporal. */
  directWallMs: LatencySummary;
  directEfficiency: number;
  /** Median over rounds of first-to-last arrival of the 16 calls at the LLM server. */
  callStartSpreadMs: number;
  /** Median over rounds of send → first call at the LLM server. */
  firstCallDelayMs: number;
}

const PARTICIPANTS = 16;
const LATENCY_MS = 1000;

export async function measureParallel(ctx: BenchContext): Promise<ParallelResult> {
  const worker = await ctx.startWorker('parallel');
  const model = benchModel(LATENCY_MS);
  const names = Array.from({ length: PARTICIPANTS }, (_, i) => `P${String(i + 1).padStart(2, '0')}`);
  try {
    const session = await MultiParticipantSession.create(
      ctx.client,
      { strategy: 'broadcast', participants: names.map((name) => ({ name, role: 'panelist', model })) },
      { taskQueue: worker.taskQueue, sessionId: `bench-parallel-${Date.now()}` },
    );
    const mirror = new DirectSession(ctx.mock.url, names, model);
    const rounds = ctx.options.quick ? 3 : 6;
    const council: number[] = [];
    const direct: number[] = [];
    const spreads: number[] = [];
    const firstDelays: number[] = [];
    await session.sendMessage('user', 'Warm-up round.');
    for (let r = 0; r < rounds; r++) {
      const sentAt = Date.now();
      const started = performance.now();
      await session.sendMessage('user', `Round ${r}: what matters most?`);
      council.push(performance.now() - started);
      const arrivals = (await ctx.mock.stats(sentAt)).arrivals.filter((a) => names.includes(a.speaker));
      const times = arrivals.map((a) => a.at);
      spreads.push(Math.max(...times) - Math.min(...times));
      firstDelays.push(Math.min(...times) - sentAt);
      direct.push(await mirror.parallelRound(`Round ${r}: what matters most?`));
      ctx.log(`parallel: round ${r + 1}/${rounds}: ${council.at(-1)?.toFixed(0)} ms`);
    }
    await session.close();
    const councilWall = summarize(council);
    const directWall = summarize(direct);
    return {
      participants: PARTICIPANTS,
      modelLatencyMs: LATENCY_MS,
      rounds,
      councilWallMs: councilWall,
      efficiency: round2(LATENCY_MS / councilWall.p50),
      directWallMs: directWall,
      directEfficiency: round2(LATENCY_MS / directWall.p50),
      callStartSpreadMs: summarize(spreads).p50,
      firstCallDelayMs: summarize(firstDelays).p50,
    };
  } finally {
    await worker.stop();
  }
}
