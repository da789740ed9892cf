import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

export const MEASUREMENTS = [
  'overhead',
  'parallel',
  'concurrency',
  'long',
  'recovery',
  'codec',
  'cluster',
  'streaming',
  'start',
  'localcall',
] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

/** What one `npm run bench` does; every field has a flag. */
export interface BenchOptions {
  quick: boolean;
  only: Measurement[];
  db: 'sqlite' | 'memory';
  /** Concurrent sessions per level of the concurrency measurement. */
  levels: number[];
  /** Rounds each session plays in the concurrency measurement. */
  rounds: number;
  /** Turns of the long session. */
  turns: number;
  /** Per-turn samples of the overhead measurement, per path (a quarter of it per codec variant). */
  samples: number;
  /** The bench worker's maxConcurrentActivityTaskExecutions; council's default when unset. */
  maxConcurrentCalls?: number;
  /** Tuning experiments: extra Worker.create options (`--worker-option key=JSON`). */
  workerOverrides?: Partial<WorkerOptions>;
  /**
   * Experiments of measurement 2: named sets of Worker.create options (`--parallel-variant NAME=JSON`),
   * each measured on its own worker with rounds interleaved with council's defaults.
   */
  parallelVariants?: Record<string, Partial<WorkerOptions>>;
  /** Experiments: extra dev server dynamic config (`--server-config KEY=JSON`). */
  serverConfig?: Record<string, unknown>;
  /** Measure nothing: render report.md and the chart again from DIR/latest.json. */
  render: boolean;
  /** Experiment: retry a round's update (same update id) when the server times it out. */
  updateRetry: boolean;
  /** Write a V8 CPU profile of each worker process (`--cpu-prof`) under outDir/profiles. */
  profile: boolean;
  /** Where results go; a full default run writes bench/results, anything else a scratch folder. */
  outDir: string;
  /** True for a full run with default settings: the one whose results are committed. */
  canonical: boolean;
}

export const USAGE = `usage: npm run bench -- [flags]
  --quick                    smaller sizes (about 4-5 minutes)
  --only=a,b                 some of: ${MEASUREMENTS.join(', ')}
  --db=sqlite|memory         dev server persistence (default sqlite, what users get)
  --levels=100,300,1000      concurrent sessions per concurrency level
  --rounds=N                 rounds per session (default 3; none started after 45 s)
  --turns=N                  turns of the long session (default 2000)
  --samples=N                per-turn samples in the overhead measurement (N/4 per codec variant)
  --max-concurrent-calls=N   the worker's maxConcurrentActivityTaskExecutions
  --worker-option=KEY=JSON   extra Worker.create option, for tuning experiments (repeatable)
  --server-config=KEY=JSON   extra dev server dynamic config, for experiments (repeatable)
  --parallel-variant=NAME=JSON  measurement 2 also on a worker with these Worker.create options
                             (a JSON object), rounds interleaved with the defaults (repeatable)
  --update-retry             experiment: retry timed-out round updates with the same update id
  --profile                  CPU-profile every worker process (written under DIR/profiles)
  --render                   only re-render report.md and the chart from DIR/latest.json
  --out=DIR                  where to write latest.json, report.md and the chart`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const flags = new Map<string, string[]>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    const [, name = '', value = 'true'] = match;
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  const one = (name: string) => flags.get(name)?.at(-1);
  const known = [
    'render',
    'update-retry',
    'profile',
    'quick',
    'only',
    'db',
    'levels',
    'rounds',
    'turns',
    'samples',
    'max-concurrent-calls',
  ];
  for (const name of flags.keys()) {
    if (![...known, 'worker-option', 'server-config', 'parallel-variant', 'out', 'help'].includes(name)) {
      throw new Error(`unknown flag --${name}\n${USAGE}`);
    }
  }
  if (flags.has('help')) throw new Error(USAGE);
  const quick = one('quick') === 'true';
  const only = (one('only')?.split(',') ?? [...MEASUREMENTS]).map((name) => {
    if (!(MEASUREMENTS as readonly string[]).includes(name)) throw new Error(`--only: unknown "${name}"`);
    return name as Measurement;
  });
  const db = one('db') ?? 'sqlite';
  if (db !== 'sqlite' && db !== 'memory') throw new Error('--db must be sqlite or memory');
  const overrides = keyValues(flags.get('worker-option'));
  const serverConfig = keyValues(flags.get('server-config'));
  const parallelVariants = keyValues(flags.get('parallel-variant'));
  for (const [name, value] of Object.entries(parallelVariants ?? {})) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(
        `--parallel-variant=${name}=…: the value must be a JSON object of Worker.create options`,
      );
    }
  }
  const canonical = [...flags.keys()].every((name) => name === 'out' || name === 'render');
  const resultsDir = path.join(__dirname, 'results');
  return {
    quick,
    only,
    db,
    levels: numbers(one('levels')) ?? (quick ? [100, 300] : [100, 300, 1000]),
    rounds: positive(one('rounds'), 'rounds') ?? (quick ? 2 : 3),
    turns: positive(one('turns'), 'turns') ?? (quick ? 500 : 2000),
    samples: positive(one('samples'), 'samples') ?? (quick ? 100 : 300),
    maxConcurrentCalls: positive(one('max-concurrent-calls'), 'max-concurrent-calls'),
    workerOverrides: overrides as Partial<WorkerOptions> | undefined,
    parallelVariants: parallelVariants as Record<string, Partial<WorkerOptions>> | undefined,
    serverConfig,
    render: one('render') === 'true',
    updateRetry: one('update-retry') === 'true',
    profile: one('profile') === 'true',
    outDir: one('out') ?? (canonical ? resultsDir : path.join(resultsDir, 'partial.tmp')),
    canonical,
  };
}

/** `KEY=JSON` pairs as an object; a value that is not JSON is taken as a string. */
function keyValues(pairs: string[] | undefined): Record<string, unknown> | undefined {
  if (!pairs) return undefined;
  return Object.fromEntries(
    pairs.map((pair) => {
      const [key = '', ...rest] = pair.split('=');
      const raw = rest.join('=');
      try {
        return [key, JSON.parse(raw) as unknown];
      } catch {
        return [key, raw];
      }
    }),
  );
}

function numbers(value: string | undefined): number[] | undefined {
  return value?.split(',').map((part) => positive(part, 'levels') as number);
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive whole number`);
  return parsed;
}
