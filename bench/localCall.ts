import { MultiParticipantSession } from '../client/api/session';
import type { CallAs } from '../common/localCall';
import { benchModel, type BenchContext } from './harness';
import { billableActions } from './historyProfile';
import { cpuSeconds, serverCpuSeconds } from './machine';
import { round2, summarize, type LatencySummary } from './stats';

/** One way of calling the model, as measured: its turn latency, CPU and history per turn. */
export interface CallPathFigures {
  turn: LatencySummary;
  /** CPU ms per turn of the worker and of the server, from /proc over this path's blocks only. */
  cpuMsPerTurn: { worker: number; server: number; total: number };
  /** History events and Temporal Cloud actions per turn, in the session's latest run. */
  eventsPerTurn: number;
  billableActionsPerTurn: number;
  /** Whether the session continued-as-new during the measurement. */
  continuedAsNew: boolean;
}

/** Result of the local-call measurement (issue 20 target 5): regular vs local, one participant. */
export interface LocalCallResult {
  turnsPerPath: number;
  blockTurns: number;
  regular: CallPathFigures;
  local: CallPathFigures;
  /** local / regular, measured side by side in this run. */
  ratio: { turnP50: number; turnP95: number; cpuPerTurn: number };
}

const BLOCK_TURNS = 25;
const WARMUP = 10;
const model = benchModel(0);

/**
 * One-participant turns (zero model latency) through two sessions on one worker, one whose
 * participant is a regular activity and one called as a local activity. They take turns in blocks
 * of 25 (first one, then the other, alternating which goes first) so both see the same load, and
 * the worker's and server's CPU is read around each block, so it counts per path.
 */
export async function measureLocalCall(ctx: BenchContext): Promise<LocalCallResult> {
  const worker = await ctx.startWorker('localcall');
  try {
    const blocks = Math.max(2, Math.round(ctx.options.samples / BLOCK_TURNS));
    const paths = {
      regular: await pathState(ctx, worker.taskQueue, 'activity'),
      local: await pathState(ctx, worker.taskQueue, 'local'),
    };
    for (const path of Object.values(paths))
      for (let t = 0; t < WARMUP; t++) await path.session.sendMessage('user', `Warm-up ${t}`);
    for (let b = 0; b < blocks; b++) {
      const order = b % 2 === 0 ? [paths.regular, paths.local] : [paths.local, paths.regular];
      for (const path of order) {
        const cpu = { worker: cpuSeconds(worker.pid), server: serverCpuSeconds(ctx.server.processes) };
        for (let t = 0; t < BLOCK_TURNS; t++) {
          const started = performance.now();
          await path.session.sendMessage('user', `Block ${b} turn ${t}: what next?`);
          path.turns.push(performance.now() - started);
        }
        path.cpu.worker += cpuSeconds(worker.pid) - cpu.worker;
        path.cpu.server += serverCpuSeconds(ctx.server.processes) - cpu.server;
      }
      ctx.log(`localcall: ${(b + 1) * BLOCK_TURNS}/${blocks * BLOCK_TURNS} turns per path`);
    }
    const regular = await figures(ctx, paths.regular);
    const local = await figures(ctx, paths.local);
    return {
      turnsPerPath: blocks * BLOCK_TURNS,
      blockTurns: BLOCK_TURNS,
      regular,
      local,
      ratio: {
        turnP50: round2(local.turn.p50 / regular.turn.p50),
        turnP95: round2(local.turn.p95 / regular.turn.p95),
        cpuPerTurn: round2(local.cpuMsPerTurn.total / regular.cpuMsPerTurn.total),
      },
    };
  } finally {
    await worker.stop();
  }
}

interface PathState {
  session: MultiParticipantSession;
  turns: number[];
  cpu: { worker: number; server: number };
}

async function pathState(ctx: BenchContext, taskQueue: string, callAs: CallAs): Promise<PathState> {
  const session = await MultiParticipantSession.create(
    ctx.client,
    { strategy: 'roundRobin', participants: [{ name: 'A', role: 'panelist', model, callAs }] },
    { taskQueue, sessionId: `bench-localcall-${callAs}-${Date.now()}` },
  );
  return { session, turns: [], cpu: { worker: 0, server: 0 } };
}

async function figures(ctx: BenchContext, path: PathState): Promise<CallPathFigures> {
  const count = path.turns.length;
  const history = await ctx.client.workflow.getHandle(path.session.sessionId).fetchHistory();
  // A long session continues-as-new (a regular call's input, the history it carries, is in its
  // history; a local call's is not): the latest run's events are divided by the turns it played.
  const events = history.events ?? [];
  const runTurns = events.filter((event) => event.workflowExecutionUpdateCompletedEventAttributes).length;
  await path.session.close();
  const worker = round2((path.cpu.worker * 1000) / count);
  const server = round2((path.cpu.server * 1000) / count);
  return {
    turn: summarize(path.turns),
    cpuMsPerTurn: { worker, server, total: round2(worker + server) },
    eventsPerTurn: round2(events.length / runTurns),
    billableActionsPerTurn: round2(billableActions(history) / runTurns),
    continuedAsNew: Boolean(events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId),
  };
}

/** The report's section for {@link LocalCallResult}. */
export function localCallSection(r: LocalCallResult): string[] {
  const row = (name: string, p: CallPathFigures) =>
    `| ${name} | ${p.turn.p50} | ${p.turn.p95} | ${p.cpuMsPerTurn.worker} | ${p.cpuMsPerTurn.server} | ` +
    `${p.eventsPerTurn} | ${p.billableActionsPerTurn} | ${p.continuedAsNew ? 'yes' : 'no'} |`;
  return [
    '## 10. Local calls (`callAs: local`) against regular activities, one participant, zero model latency',
    '',
    '| path | turn p50 (ms) | turn p95 (ms) | worker CPU ms/turn | server CPU ms/turn | events/turn | billable actions/turn | continued-as-new |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('regular activity', r.regular),
    row('local activity', r.local),
    '',
    `local / regular: turn p50 ×${r.ratio.turnP50}, p95 ×${r.ratio.turnP95}, CPU per turn ×${r.ratio.cpuPerTurn} ` +
      `(${r.turnsPerPath} turns per path in alternating blocks of ${r.blockTurns}, one worker).`,
  ];
}
