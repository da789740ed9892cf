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
import { measureLongSession } from './longSession';
import { loadAverage, machineLine } from './machine';
import { parseOptions, type BenchOptions } from './options';
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

async function measureAll(ctx: BenchContext): Promise<Partial<BenchResults>> {
  const { only } = ctx.options;
  const results: Partial<BenchResults> = {};
  if (only.includes('overhead')) {
    ctx.log('1/9 overhead per turn: direct vs through council, zero model latency');
    results.overhead = await measureOverhead(ctx);
  }
  if (only.includes('parallel')) {
    ctx.log('2/9 parallel efficiency: broadcast of 16, 1 s model latency');
    results.parallel = await measureParallel(ctx);
  }
  if (only.includes('concurrency')) {
    ctx.log(`3/9 concurrency: ${ctx.options.levels.join(', ')} sessions of 5 participants, 1 s latency`);
    results.concurrency = await measureConcurrency(ctx);
  }
  if (only.includes('long')) {
    ctx.log(`4/9 long session: ${ctx.options.turns} turns with continue-as-new`);
    results.longSession = await measureLongSession(ctx);
  }
  if (only.includes('recovery')) {
    ctx.log('5/9 recovery: SIGKILL the worker, start a new one');
    results.recovery = await measureRecovery(ctx);
  }
  if (only.includes('codec')) {
    ctx.log('6/9 codec: per-turn cost of the blob store, small and ~300 KB answers');
    results.codec = await measureCodec(ctx);
  }
  if (only.includes('cluster')) {
    ctx.log(`7/9 cluster: the concurrency levels on the production server with PostgreSQL`);
    results.cluster = await measureCluster(ctx, results.concurrency);
  }
  if (only.includes('streaming')) {
    ctx.log('8/9 streaming: tokens-to-screen latency, history and server CPU with and without a watcher');
    results.streaming = await measureStreaming(ctx);
  }
  if (only.includes('start')) {
    ctx.log(
      '9/9 start: the built CLI, `council run --simulate`, warm and fresh data dir and beside ' +
        '`council server --worker`, vs node -e ""',
    );
    results.start = await measureStart(ctx);
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
