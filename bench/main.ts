/**
 * `npm run bench`: measures council's overhead, parallel efficiency, concurrency, long sessions,
 * recovery, the blob store's cost (codec), token streaming and the CLI's start on a local Temporal dev server, and writes
 * results/latest.json, results/report.md and results/latency-by-concurrency.svg.
 * `npm run bench -- --help` lists the flags.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { latencyByConcurrencySvg } from './chart';
import { measureCluster } from './cluster';
import { measureCodec } from './codec';
import { measureConcurrency } from './concurrency';
import { createBenchContext, type BenchContext } from './harness';
import { measureLocalCall } from './localCall';
import { measureLongSession } from './longSession';
import { loadAverage, machineLine } from './machine';
import { MEASUREMENTS, parseOptions, type BenchOptions, type Measurement } from './options';
import { measureOverhead } from './overhead';
import { measureParallel } from './parallel';
import { measureRecovery } from './recovery';
import { measureStart } from './start';
import { measureStreaming } from './streaming';
import { markdownReport } from './report';
import { evaluateTargets, type BenchResults } from './results';

const CHART_FILE = 'latency-by-concurrency.svg';

async function run(options: BenchOptions): Promise<BenchResults> {
  const started = performance.now();
  const ctx = await createBenchContext(options);
  ctx.log(`machine: ${machineLine(ctx.machine)}`);
  try {
    const measured = await measureAll(ctx);
    const partial: Omit<BenchResults, 'targets'> = {
      schemaVersion: 1,
      generatedAt: new Date().toISOString(),
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
        ' ',
      ),
      canonical: options.canonical,
      machine: ctx.machine,
      loadAverageAtEnd: loadAverage(),
      durationSec: Math.round((performance.now() - started) / 1000),
      setup: {
        server: `${ctx.serverStorage}, ${ctx.machine.temporalCli}`,
        workflowBundleMs: Math.round(ctx.bundleMs),
        workerMaxConcurrentCalls: options.maxConcurrentCalls ?? 'council default',
        ...(options.workerOverrides && { workerOverrides: options.workerOverrides }),
        ...(options.serverConfig && { serverConfig: options.serverConfig }),
      },
      ...measured,
    };
    return { ...partial, targets: evaluateTargets(partial) };
  } finally {
    await ctx.close();
  }
}

/** What each measurement's log line says it does. */
const SAYS: Readonly<Record<Measurement, string | ((options: BenchOptions) => string)>> = {
  overhead: 'overhead per turn: direct vs through council, zero model latency',
  parallel: 'parallel efficiency: broadcasts of 16 and 32, 1 s model latency',
  concurrency: ({ levels }) => `concurrency: ${levels.join(', ')} sessions of 5 participants, 1 s latency`,
  long: ({ turns }) => `long session: ${turns} turns with continue-as-new`,
  recovery: 'recovery: SIGKILL the worker, start a new one',
  codec: 'codec: per-turn cost of the blob store, small and 256 KiB answers',
  cluster: 'cluster: the concurrency levels on the production server with PostgreSQL',
  streaming: 'streaming: tokens-to-screen latency, history and server CPU with and without a watcher',
  start:
    'start: the built CLI, `council run --simulate`, warm and fresh data dir and beside ' +
    '`council server --worker`, vs node -e ""',
  localcall: 'local calls: one-participant turns as regular vs local activities, zero model latency',
};

/** How each measurement runs, given what ran before it (cluster's reuses concurrency's levels). */
const RUNS: Readonly<
  Record<Measurement, (ctx: BenchContext, results: Partial<BenchResults>) => Promise<Partial<BenchResults>>>
> = {
  overhead: async (ctx) => ({ overhead: await measureOverhead(ctx) }),
  parallel: async (ctx) => ({ parallel: await measureParallel(ctx) }),
  concurrency: async (ctx) => ({ concurrency: await measureConcurrency(ctx) }),
  long: async (ctx) => ({ longSession: await measureLongSession(ctx) }),
  recovery: async (ctx) => ({ recovery: await measureRecovery(ctx) }),
  codec: async (ctx) => ({ codec: await measureCodec(ctx) }),
  cluster: async (ctx, results) => ({ cluster: await measureCluster(ctx, results.concurrency) }),
  streaming: async (ctx) => ({ streaming: await measureStreaming(ctx) }),
  start: async (ctx) => ({ start: await measureStart(ctx) }),
  localcall: async (ctx) => ({ localCall: await measureLocalCall(ctx) }),
};

/** Runs the measurements `--only` names, in the order of MEASUREMENTS. */
async function measureAll(ctx: BenchContext): Promise<Partial<BenchResults>> {
  const results: Partial<BenchResults> = {};
  for (const [index, name] of MEASUREMENTS.entries()) {
    if (!ctx.options.only.includes(name)) continue;
    const says = SAYS[name];
    ctx.log(`${index + 1}/${MEASUREMENTS.length} ${typeof says === 'string' ? says : says(ctx.options)}`);
    Object.assign(results, await RUNS[name](ctx, results));
  }
  return results;
}

function write(results: BenchResults, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const levels = results.concurrency ?? [];
  if (levels.length > 0) {
    const m = results.machine;
    const subtitle =
      `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${results.setup.server.split(',')[0]}, ` +
      `load average ${m.loadAverageAtStart}-${results.loadAverageAtEnd}, ${results.generatedAt.slice(0, 10)}`;
    writeFileSync(path.join(outDir, CHART_FILE), latencyByConcurrencySvg(levels, subtitle));
  }
  writeFileSync(
    path.join(outDir, 'report.md'),
    markdownReport(results, levels.length ? CHART_FILE : undefined),
  );
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const results = options.render
    ? (JSON.parse(readFileSync(path.join(options.outDir, 'latest.json'), 'utf8')) as BenchResults)
    : await run(options);
  write(results, options.outDir);
  process.stdout.write(`\n${markdownReport(results)}\n`);
  process.stderr.write(`results written to ${path.relative(process.cwd(), options.outDir) || '.'}/\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
