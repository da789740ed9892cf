/**
 * The deployment files (docker-compose.yml, Dockerfile, .dockerignore, docker/*.sh) agree with the code
 * they deploy. No Docker engine is needed: the files are parsed and compared with the source, and the
 * search-attribute job's script runs for real against this test run's Temporal dev server.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import ts from 'typescript';
import { parse } from 'yaml';
import { providerEnvVars } from '../../activities';
import { temporalExecutable } from '../../client/runtime/temporalCli';
import { DEFAULT_TASK_QUEUE, SEARCH_ATTRIBUTES } from '../../common/defaults';
import {
  CouncilCostUsdKey,
  CouncilKindKey,
  CouncilStatusKey,
  CouncilStrategyKey,
} from '../../common/searchAttributes';
import {
  BLOB_STORE_ENV_VARS,
  DEFAULT_BLOB_THRESHOLD_BYTES,
  blobStoreSettingsFromEnv,
} from '../../storage/settings';
import { parseWorkerSettings, workerSettingsFromEnv } from '../../workers/main';
import { testEnvironment } from '../helpers/testEnv';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// ---------- docker-compose.yml ----------

type EnvValue = string | number | boolean | null;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, EnvValue> | string[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { type?: string; source?: string })[];
  restart?: string;
  init?: boolean;
  stop_grace_period?: string;
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const services = compose.services;
const WORKER = 'council-worker';
const SETUP_JOB = 'temporal-setup';
const BLOB_STORE = 'minio';
const BLOB_SETUP_JOB = 'minio-setup';
const store = () => environment(BLOB_STORE);
/** The S3 credentials: the worker's fall back to the MinIO service's own, so they agree. */
const S3_CREDENTIALS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'MINIO_ROOT_USER',
  AWS_SECRET_ACCESS_KEY: 'MINIO_ROOT_PASSWORD',
};

function environment(name: string): Record<string, string> {
  const env = services[name]?.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)])
    : Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

/** `${NAME:-default}` → { name, fallback }; undefined for a literal value. */
function interpolation(value: string): { name: string; fallback: string } | undefined {
  const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}$/.exec(value);
  return match ? { name: match[1]!, fallback: match[2] ?? '' } : undefined;
}

/** Published ports as "hostIp:published->target". */
function publishedPorts(name: string): string[] {
  return (services[name]?.ports ?? []).map((port) => {
    if (typeof port === 'object') return `${port.host_ip ?? ''}:${port.published}->${port.target}`;
    const parts = String(port).split(':');
    const target = parts.pop()!;
    const published = parts.pop() ?? '';
    return `${parts.join(':')}:${published}->${target}`;
  });
}

function seconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  expect(parts.map((part) => part[0]).join('')).toBe(duration);
  return parts.reduce((total, part) => total + Number(part[1]) * units[part[2]!]!, 0);
}

/** Pairs "Name=Type" of the search-attribute job. */
function composeSearchAttributes(): string[] {
  return (environment(SETUP_JOB).COUNCIL_SEARCH_ATTRIBUTES ?? '').split(/\s+/).filter(Boolean);
}

// ---------- environment variables the code reads ----------

const ENV_NAME = '[A-Z][A-Z0-9_]*';
const ENV_READS = [
  new RegExp(`\\benv\\.(${ENV_NAME})\\b`, 'g'), // process.env.X, env.X
  new RegExp(`\\benv\\[\\s*['"\`](${ENV_NAME})['"\`]\\s*\\]`, 'g'), // process.env['X'], env["X"]
];

/** Env vars named in `process.env.X` / `env['X']` / `const { X } = process.env` under the folders. */
function envReadIn(...folders: string[]): Set<string> {
  const names = new Set<string>();
  for (const folder of folders) {
    const dir = path.join(ROOT, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
      const source = readFileSync(path.join(dir, file), 'utf8');
      for (const pattern of ENV_READS) for (const match of source.matchAll(pattern)) names.add(match[1]!);
      for (const match of source.matchAll(/\{([^}]*)\}\s*=\s*(?:process\.)?env\b/g)) {
        for (const key of match[1]!.split(',')) {
          const name = key.split(':')[0]!.trim();
          if (new RegExp(`^${ENV_NAME}$`).test(name)) names.add(name);
        }
      }
    }
  }
  return names;
}

/** Env vars @temporalio/envconfig reads (TEMPORAL_ADDRESS, TEMPORAL_API_KEY, TEMPORAL_TLS_*, ...). */
function envconfigNames(): Set<string> {
  const lib = path.dirname(require.resolve('@temporalio/envconfig'));
  const names = new Set<string>();
  for (const file of readdirSync(lib).filter((name) => name.endsWith('.js'))) {
    const source = readFileSync(path.join(lib, file), 'utf8');
    for (const match of source.matchAll(/envProvider\[['"](TEMPORAL_[A-Z0-9_]+)['"]\]/g))
      names.add(match[1]!);
  }
  return names;
}

// ---------- Dockerfile ----------

const INSTRUCTIONS = new Set([
  ...'FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG'.split(' '),
  ...'ONBUILD STOPSIGNAL HEALTHCHECK SHELL'.split(' '),
]);
interface Instruction {
  keyword: string;
  args: string;
}

/** Stages of a Dockerfile, each a list of instructions (FROM first); throws on unknown instructions. */
function dockerStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    if (!INSTRUCTIONS.has(instruction.keyword)) throw new Error(`unknown Dockerfile instruction: ${line}`);
    if (instruction.keyword === 'FROM') stages.push([]);
    else if (stages.length === 0 && instruction.keyword !== 'ARG') throw new Error(`before FROM: ${line}`);
    stages[stages.length - 1]?.push(instruction);
  }
  return stages;
}

/** COPY's sources and destination, flags (--from, --chown) apart. */
function copyArgs(instruction: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = instruction.args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1]! };
}

const stages = dockerStages(read('Dockerfile'));
const buildStage = stages[0] ?? [];
const finalStage = stages[stages.length - 1] ?? [];
const all = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);
const workdir = (stage: Instruction[]) => all(stage, 'WORKDIR').pop()?.args ?? '/';

function buildConfig(): ts.ParsedCommandLine {
  const file = path.join(ROOT, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    file,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('cannot read tsconfig.build.json');
  return parsed;
}

// ---------- tests ----------

describe('docker-compose.yml', () => {
  it('has the services users run', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'council-worker',
        'postgresql',
        'temporal',
        'temporal-schema',
        'temporal-setup',
        'temporal-ui',
        BLOB_STORE,
        BLOB_SETUP_JOB,
      ].sort(),
    );
  });

  it('publishes only Temporal gRPC on 7233, the Web UI on 8080 and the blob store on 9000, on loopback', () => {
    const published = Object.fromEntries(
      Object.keys(services)
        .map((name) => [name, publishedPorts(name)] as const)
        .filter(([, ports]) => ports.length > 0),
    );
    expect(published).toEqual({
      temporal: ['127.0.0.1:7233->7233'],
      'temporal-ui': ['127.0.0.1:8080->8080'],
      [BLOB_STORE]: ['127.0.0.1:9000->9000'],
    });
  });

  it('pins every image, the Temporal ones to the versions of the pinned temporal CLI', async () => {
    const { stdout } = await run(temporalExecutable(), ['--version']);
    const [, server, ui] = /Server ([\d.]+), UI ([\d.]+)/.exec(stdout) ?? [];
    expect(server).toBeDefined();
    const images = Object.values(services).flatMap((service) => (service.image ? [service.image] : []));
    for (const image of images) expect(image).toMatch(/^[^:@]+(:(?!latest$)[\w.-]+|@sha256:[0-9a-f]{64})$/);
    expect(images).toEqual(
      expect.arrayContaining([
        `temporalio/server:${server}`,
        `temporalio/admin-tools:${server}`,
        `temporalio/ui:${ui}`,
      ]),
    );
    expect(images.filter((image) => image.startsWith('temporalio/auto-setup'))).toEqual([]);
  });

  it('orders start-up with health and completion conditions', () => {
    const edges: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      expect(Array.isArray(service.depends_on)).toBe(false); // the short form has no conditions
      const dependsOn = (service.depends_on ?? {}) as Record<string, { condition?: string }>;
      for (const [target, { condition }] of Object.entries(dependsOn)) {
        edges.push(`${name} -> ${target}: ${condition}`);
        const dependency = services[target];
        expect(dependency).toBeDefined();
        if (condition === 'service_healthy') {
          expect(dependency?.healthcheck?.test).toBeDefined();
          expect(dependency?.healthcheck?.disable).not.toBe(true);
        } else {
          expect(condition).toBe('service_completed_successfully');
          expect(dependency?.restart ?? 'no').toBe('no'); // a one-shot job, not a restarting service
        }
      }
    }
    expect(edges.sort()).toEqual(
      [
        'council-worker -> temporal: service_healthy',
        'council-worker -> temporal-setup: service_completed_successfully',
        'council-worker -> minio-setup: service_completed_successfully',
        'minio-setup -> minio: service_healthy',
        'temporal-setup -> temporal: service_healthy',
        'temporal-ui -> temporal: service_healthy',
        'temporal -> temporal-schema: service_completed_successfully',
        'temporal-schema -> postgresql: service_healthy',
      ].sort(),
    );
  });

  it('bind-mounts only files that exist in the repo', () => {
    const sources = Object.values(services).flatMap((service) =>
      (service.volumes ?? []).map((volume) =>
        typeof volume === 'string' ? volume.split(':')[0]! : volume.source,
      ),
    );
    const binds = sources.filter((source): source is string => !!source && /^\.{1,2}\//.test(source));
    expect(binds.length).toBeGreaterThan(0);
    for (const source of binds) expect(existsSync(path.join(ROOT, source))).toBe(true);
  });

  it('registers the search attributes council uses, with their declared types', () => {
    const declared = [CouncilStatusKey, CouncilStrategyKey, CouncilKindKey, CouncilCostUsdKey].map(
      (key) => `${key.name}=${key.type.charAt(0)}${key.type.slice(1).toLowerCase()}`,
    );
    expect(composeSearchAttributes().sort()).toEqual(declared.sort());
    const names = composeSearchAttributes().map((pair) => pair.split('=')[0]);
    expect(names.sort()).toEqual(Object.values(SEARCH_ATTRIBUTES).sort());
    const setup = environment(SETUP_JOB);
    const worker = environment(WORKER);
    expect(setup.TEMPORAL_NAMESPACE).toBe(worker.TEMPORAL_NAMESPACE);
    expect(setup.TEMPORAL_ADDRESS).toBe(worker.TEMPORAL_ADDRESS);
  });
});

describe('docker-compose.yml: the council worker', () => {
  const env = environment(WORKER);
  const codeDefaults = parseWorkerSettings({}, false);

  it('sets exactly the env vars the worker code and envconfig read', () => {
    const envconfig = envconfigNames();
    expect([...envconfig]).toEqual(expect.arrayContaining(['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE']));
    const providers = providerEnvVars();
    const workerReads = new Set([...envReadIn('workers', 'activities', 'common', 'storage'), ...providers]);
    expect([...BLOB_STORE_ENV_VARS].filter((name) => !workerReads.has(name))).toEqual([]);
    const required = new Set([...workerReads].filter((name) => !envconfig.has(name)));
    required.add('TEMPORAL_ADDRESS').add('TEMPORAL_NAMESPACE');
    const readable = new Set([...workerReads, ...envReadIn('client'), ...envconfig]);

    const set = Object.keys(env);
    expect([...required].filter((name) => !set.includes(name)).sort()).toEqual([]);
    expect(set.filter((name) => !readable.has(name)).sort()).toEqual([]);
    // The bundled server speaks plaintext without auth; an empty TEMPORAL_API_KEY would make envconfig
    // turn TLS on, so no API key or TLS setting is passed to this worker.
    expect(set.filter((name) => name === 'TEMPORAL_API_KEY' || name.startsWith('TEMPORAL_TLS'))).toEqual([]);
  });

  it('connects to the compose Temporal service', () => {
    const [host, port] = (env.TEMPORAL_ADDRESS ?? '').split(':');
    expect(services[host!]?.image).toMatch(/^temporalio\/server:/);
    expect(publishedPorts(host!).map((p) => p.split('->')[1])).toContain(port);
  });

  it('takes keys from the user environment and defaults from the code', () => {
    for (const [name, value] of Object.entries(env)) {
      if (!/KEY|TOKEN|SECRET|PASSWORD|BASE_URL/.test(name)) continue;
      const minioName = S3_CREDENTIALS[name];
      // Provider keys come from the user; the S3 credentials default to the bundled MinIO's.
      const fallback = minioName ? interpolation(store()[minioName] ?? '')?.fallback : '';
      expect(interpolation(value)).toEqual({ name, fallback });
    }
    // Every COUNCIL_* setting passes the user's value through, falling back to the worker's own default.
    const fallbacks: Record<string, string> = {};
    for (const [name, value] of Object.entries(env).filter(([key]) => key.startsWith('COUNCIL_'))) {
      expect(interpolation(value)?.name).toBe(name);
      fallbacks[name] = interpolation(value)!.fallback;
    }
    expect(Object.keys(fallbacks).length).toBeGreaterThan(0);
    expect(parseWorkerSettings(workerSettingsFromEnv(fallbacks), false)).toEqual(codeDefaults);
    expect(codeDefaults.taskQueue).toBe(DEFAULT_TASK_QUEUE);
    const literalSecrets = Object.keys(services).flatMap((name) =>
      Object.entries(environment(name))
        .filter(([key, value]) => /PASSWORD|PWD|API_KEY|SECRET|TOKEN/.test(key) && !interpolation(value))
        .map(([key]) => `${name}.${key}`),
    );
    expect(literalSecrets).toEqual([]);
  });

  it('stores large payloads in the bundled MinIO bucket that its set-up job creates', () => {
    const fallbacks = Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, interpolation(value)?.fallback ?? value]),
    );
    const settings = blobStoreSettingsFromEnv(fallbacks);
    const setup = environment(BLOB_SETUP_JOB);
    expect(settings).toMatchObject({
      store: 's3',
      bucket: interpolation(setup.COUNCIL_S3_BUCKET ?? '')?.fallback,
      endpoint: `http://${BLOB_STORE}:9000`,
      thresholdBytes: DEFAULT_BLOB_THRESHOLD_BYTES,
    });
    expect(publishedPorts(BLOB_STORE).map((port) => port.split('->')[1])).toContain('9000');
    // The job and the worker name one bucket through one variable; MinIO's user is the worker's key.
    expect(interpolation(setup.COUNCIL_S3_BUCKET ?? '')?.name).toBe('COUNCIL_S3_BUCKET');
    expect(interpolation(env.AWS_ACCESS_KEY_ID ?? '')).toEqual(interpolation(store().MINIO_ROOT_USER ?? ''));
    expect(interpolation(env.AWS_SECRET_ACCESS_KEY ?? '')).toEqual(
      interpolation(store().MINIO_ROOT_PASSWORD ?? ''),
    );
  });

  it('gets longer to stop than the worker gives in-flight LLM calls, with room to spare', () => {
    const graceSeconds = codeDefaults.shutdownGraceMs / 1000;
    expect(graceSeconds).toBeGreaterThan(0);
    expect(seconds(services[WORKER]?.stop_grace_period ?? '10s')).toBeGreaterThanOrEqual(graceSeconds + 15);
    expect(services[WORKER]?.init).toBe(true);
    expect(all(finalStage, 'STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
  });

  it('is built from the Dockerfile at the repo root', () => {
    const build = services[WORKER]?.build;
    const context = typeof build === 'string' ? build : build?.context;
    const dockerfile = (typeof build === 'object' && build.dockerfile) || 'Dockerfile';
    expect(path.resolve(ROOT, context ?? '')).toBe(ROOT);
    expect(path.join(ROOT, context ?? '', dockerfile)).toBe(path.join(ROOT, 'Dockerfile'));
  });
});

describe('Dockerfile', () => {
  it('has node:20-slim stages that install, build, prune dev dependencies and drop root', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages)
      expect(stage[0]!.args).toMatch(/^node:20(\.\d+){0,2}-slim(@sha256:[0-9a-f]{64})?\b/);
    const runs = all(buildStage, 'RUN').map((i) => i.args);
    const step = (pattern: RegExp) => runs.findIndex((command) => pattern.test(command));
    expect(step(/\bnpm ci\b/)).toBeGreaterThanOrEqual(0);
    expect(step(/\bnpm run build\b/)).toBeGreaterThanOrEqual(step(/\bnpm ci\b/));
    expect(step(/\bnpm (prune|ci)\b.*--omit=dev/)).toBeGreaterThanOrEqual(step(/\bnpm run build\b/));
    const user = all(finalStage, 'USER').pop()?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('copies into the build every folder tsconfig.build.json compiles', () => {
    const include = (
      ts.readConfigFile(path.join(ROOT, 'tsconfig.build.json'), ts.sys.readFile).config as {
        include: string[];
      }
    ).include;
    const copied = all(buildStage, 'COPY').flatMap((i) => copyArgs(i).sources.map((s) => path.normalize(s)));
    expect(copied).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        'tsconfig.json',
        'tsconfig.build.json',
        ...include,
      ]),
    );
  });

  it('runs the worker entry point that the build compiles from workers/main.ts, workflows included', () => {
    // Exec form (JSON), so that node itself receives SIGTERM rather than a shell.
    const execForm = (keyword: string) =>
      all(finalStage, keyword).flatMap((i) => JSON.parse(i.args) as string[]);
    const args = [...execForm('ENTRYPOINT'), ...execForm('CMD')];
    const entry = args.find((arg) => arg.endsWith('.js'));
    expect(entry).toBeDefined();
    const inImage = path.posix.resolve(workdir(finalStage), entry!);
    const config = buildConfig();
    const outDir = path.relative(ROOT, config.options.outDir!);
    const relative = path.posix.relative(workdir(finalStage), inImage);
    expect(relative.startsWith(`${outDir}/`)).toBe(true);
    const copiedIn = all(finalStage, 'COPY').map(copyArgs);
    const output = copiedIn.find(
      (copy) =>
        copy.from &&
        path.posix.resolve(workdir(finalStage), copy.dest) === path.posix.join(workdir(finalStage), outDir),
    );
    expect(output?.sources).toEqual([path.posix.join(workdir(buildStage), outDir)]);

    const source = path
      .join(config.options.rootDir!, path.relative(outDir, relative))
      .replace(/\.js$/, '.ts');
    expect(path.relative(ROOT, source)).toBe(path.join('workers', 'main.ts'));
    expect(existsSync(source)).toBe(true);
    expect(config.fileNames).toContain(source);
    expect(config.fileNames).toContain(path.join(ROOT, 'workflows', 'index.ts'));
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'));
  const toRegExp = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/^\/+|\/+$/g, '')
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*')
        .replace(/\.\*\//g, '(?:.*/)?')}$`,
    );
  const ignored = (file: string) =>
    file
      .split('/')
      .some((_, i, parts) => patterns.some((p) => toRegExp(p).test(parts.slice(0, i + 1).join('/'))));

  it('keeps secrets and local artefacts out of the build context', () => {
    for (const file of [
      '.env',
      '.env.local',
      'sub/dir/.env',
      'node_modules/x/index.js',
      '.tools/bin/temporal',
      '.git/HEAD',
      'dist/workers/main.js',
    ]) {
      expect([file, ignored(file)]).toEqual([file, true]);
    }
  });

  it('keeps every file the Dockerfile copies', () => {
    const sources = all(buildStage, 'COPY').flatMap((i) => (copyArgs(i).from ? [] : copyArgs(i).sources));
    const files = sources.flatMap((source) => {
      const full = path.join(ROOT, source);
      return existsSync(full) && statSync(full).isDirectory()
        ? readdirSync(full, { recursive: true, encoding: 'utf8' }).map((file) =>
            path.posix.join(source, file),
          )
        : [source];
    });
    expect(files.length).toBeGreaterThan(sources.length);
    expect(files.filter(ignored)).toEqual([]);
  });
});

describe('docker/*.sh', () => {
  it('parse as POSIX sh', async () => {
    const scripts = readdirSync(path.join(ROOT, 'docker')).filter((file) => file.endsWith('.sh'));
    expect(scripts.sort()).toEqual(['temporal-schema.sh', 'temporal-setup.sh']);
    for (const script of scripts) await run('sh', ['-n', path.join(ROOT, 'docker', script)]);
  });
});

describe('docker/temporal-setup.sh against the dev server', () => {
  const script = path.join(ROOT, 'docker', 'temporal-setup.sh');
  const namespace = `compose-test-${process.pid}-${Date.now()}`;
  let scriptEnv: NodeJS.ProcessEnv;
  let address: string;

  /** Exit code and output of one run: a failed expectation shows what the script said. */
  async function runSetup(env: NodeJS.ProcessEnv, timeout = 90_000) {
    try {
      const { stdout, stderr } = await run('sh', [script], { env, timeout });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
      return { code: code ?? -1, output: `${stdout ?? ''}${stderr ?? ''}` };
    }
  }

  beforeAll(() => {
    address = testEnvironment().address; // read once: the file is rewritten by each jest run
    const bin = mkdtempSync(path.join(os.tmpdir(), 'council-compose-'));
    symlinkSync(temporalExecutable(), path.join(bin, 'temporal'));
    scriptEnv = {
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: bin, // no user profile (temporal.toml) can leak in
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      COUNCIL_SEARCH_ATTRIBUTES: composeSearchAttributes().join(' '),
      SETUP_SLEEP_SECONDS: '1',
      SETUP_ATTEMPTS: '60',
    };
  });

  it('creates the namespace and registers the compose search attributes, idempotently', async () => {
    expect(await runSetup(scriptEnv)).toMatchObject({ code: 0 });
    const again = await runSetup(scriptEnv);
    expect(again).toMatchObject({ code: 0 });
    expect(again.output).not.toContain('successfully registered'); // the namespace was there already

    const connection = await Connection.connect({ address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      for (const key of [CouncilStatusKey, CouncilStrategyKey, CouncilKindKey, CouncilCostUsdKey]) {
        expect([key.name, customAttributes?.[key.name]]).toEqual([
          key.name,
          encodeSearchAttributeIndexedValueType(key.type),
        ]);
      }
    } finally {
      await connection.close();
    }
  });

  it('fails when an attribute already exists with another type', async () => {
    const conflicting = {
      ...scriptEnv,
      COUNCIL_SEARCH_ATTRIBUTES: `${CouncilStatusKey.name}=Int`,
      SETUP_ATTEMPTS: '1',
    };
    const result = await runSetup(conflicting);
    expect(result).toMatchObject({ code: 1 });
    expect(result.output).toContain('already exists and has different type');
  });

  it('refuses a malformed attribute list before touching the server', async () => {
    const malformed = {
      ...scriptEnv,
      COUNCIL_SEARCH_ATTRIBUTES: 'CouncilStatus',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    };
    const result = await runSetup(malformed, 10_000);
    expect(result).toMatchObject({ code: 1 });
    expect(result.output).toContain("bad entry 'CouncilStatus'");
  });
});
