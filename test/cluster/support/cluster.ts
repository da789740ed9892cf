import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { blobStoreFromEnv, type OpenedBlobStore } from '../../../storage';
import type { S3Location } from '../../../storage/s3Client';
import { clusterBinaries, ROOT } from './binaries';
import { composeEnv, composeJobScript } from './compose';
import { startPostgres, type Postgres } from './postgres';
import type { ClusterProcess } from './processes';
import { startClusterS3 } from './s3';
import { servicePorts, startTemporalServices, type ServiceName, type TemporalService } from './services';

const run = promisify(execFile);

/** A production Temporal cluster on PostgreSQL, S3 (moto) for council's blobs, and a client. */
export interface Cluster {
  /** The frontend, host:port: what TEMPORAL_ADDRESS is set to. */
  address: string;
  postgres: Postgres;
  services: Record<ServiceName, TemporalService>;
  /** The env of every Temporal service process (deploy/temporal/config.yaml.tmpl's variables). */
  serverEnv: Record<string, string>;
  /** COUNCIL_BLOB_STORE=s3 and its variables, for workers and clients alike. */
  blobEnv: Record<string, string>;
  /** A client with council's DataConverter on the shared S3 store. */
  client: Client;
  /** The moto S3 server. */
  s3: ClusterProcess;
  /** What each start-up step took, in ms. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * Starts, in the order docker-compose.yml does and with its scripts and variable names: PostgreSQL,
 * the schema job (docker/temporal-schema.sh), the four Temporal services from deploy/temporal/, the
 * setup job (docker/temporal-setup.sh: namespace and search attributes); plus moto for the blobs.
 */
export async function startCluster(): Promise<Cluster> {
  const binaries = clusterBinaries();
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await work();
    timings[step] = Date.now() - started;
    return result;
  };
  const toolDir = mkdtempSync(path.join(os.tmpdir(), 'council-cluster-bin-'));
  symlinkSync(binaries.sqlTool, path.join(toolDir, 'temporal-sql-tool'));
  symlinkSync(binaries.cli, path.join(toolDir, 'temporal'));
  // HOME too: no profile of the machine's user (temporal.toml) reaches the CLI.
  const jobEnv = { PATH: `${toolDir}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: toolDir };

  let postgres: Postgres | undefined;
  let services: Record<ServiceName, TemporalService> | undefined;
  let s3: { location: S3Location; process: ClusterProcess } | undefined;
  let blobs: OpenedBlobStore | undefined;
  let client: Client | undefined;
  const stop = async () => {
    await client?.connection.close();
    blobs?.close();
    await Promise.all(Object.values(services ?? {}).map((service) => service.kill()));
    await postgres?.destroy();
    await s3?.process.kill();
    rmSync(toolDir, { recursive: true, force: true });
  };
  try {
    const user = composeEnv('temporal', {}).POSTGRES_USER ?? 'temporal';
    postgres = await timed('postgres', () => startPostgres(binaries.postgresBin, user));
    const db = { POSTGRES_SEEDS: '127.0.0.1', DB_PORT: String(postgres.port) };
    await timed('schema', () =>
      runJob('temporal-schema', { ...db, SQL_PASSWORD: postgres!.password }, jobEnv),
    );
    const ports = await servicePorts();
    const serverEnv = {
      ...jobEnv,
      ...composeEnv('temporal', { ...db, POSTGRES_PWD: postgres.password, BIND_ON_IP: '127.0.0.1' }),
      ...ports,
      LOG_LEVEL: 'warn',
    };
    services = await timed('services', () => startTemporalServices(binaries.server, serverEnv));
    const address = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
    // SETUP_SLEEP_SECONDS (the script's own setting): poll every second, not every two.
    await timed('setup', () =>
      runJob('temporal-setup', { TEMPORAL_ADDRESS: address }, { ...jobEnv, SETUP_SLEEP_SECONDS: '1' }),
    );
    s3 = await timed('s3', () => startClusterS3('council-cluster'));
    const blobEnv = {
      COUNCIL_BLOB_STORE: 's3',
      COUNCIL_S3_BUCKET: s3.location.bucket,
      COUNCIL_S3_ENDPOINT: s3.location.endpoint!,
      COUNCIL_S3_REGION: s3.location.region,
      AWS_ACCESS_KEY_ID: s3.location.accessKeyId!,
      AWS_SECRET_ACCESS_KEY: s3.location.secretAccessKey!,
    };
    blobs = blobStoreFromEnv(blobEnv);
    const connection = await Connection.connect({ address });
    client = new Client({ connection, namespace: 'default', dataConverter: blobs.dataConverter });
    return { address, postgres, services, serverEnv, blobEnv, client, s3: s3.process, timings, stop };
  } catch (error) {
    // What the services said: a service that died at start-up says why here.
    const said = Object.values(services ?? {}).map((service) => {
      const process = service.process();
      return `--- temporal ${service.name} (${process.running() ? 'running' : 'exited'}):\n${process.output().slice(-4000)}`;
    });
    await stop();
    if (said.length === 0) throw error;
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${said.join('\n')}`, {
      cause: error,
    });
  }
}

/** Runs a one-shot job of docker-compose.yml (its script and env, with `values` put in) to the end. */
async function runJob(name: string, values: Record<string, string>, extra: Record<string, string>) {
  const script = composeJobScript(name);
  try {
    await run('sh', [script], {
      env: { ...composeEnv(name, values), ...extra },
      cwd: ROOT,
      timeout: 180_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${path.relative(ROOT, script)} failed: ${String(error)}\n${stdout ?? ''}${stderr ?? ''}`,
    );
  }
}

/**
 * Starts one cluster for the test file (beforeAll) and stops it (afterAll); read its fields inside
 * tests, not at file level.
 */
export function useCluster(): Cluster {
  const cluster = {} as Cluster;
  beforeAll(async () => {
    Object.assign(cluster, await startCluster());
    console.log(`cluster started: ${JSON.stringify(cluster.timings)} ms`);
  }, 300_000);
  afterAll(async () => cluster.stop?.(), 120_000);
  return cluster;
}
