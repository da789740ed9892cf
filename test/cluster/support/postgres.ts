import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../client/runtime/freePort';
import { spawnClusterProcess, type ClusterProcess } from './processes';

const run = promisify(execFile);
const READY = 'database system is ready to accept connections';

/** A PostgreSQL server of the test's own, on 127.0.0.1, in a temporary data directory. */
export interface Postgres {
  port: number;
  /** The temporary directory holding its data, password file and socket. */
  dir: string;
  user: string;
  password: string;
  process(): ClusterProcess;
  /** SIGKILLs the postmaster and its backends: a crash, recovered from the WAL at the next start. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and deletes its data directory. */
  destroy(): Promise<void>;
}

/**
 * initdb and starts PostgreSQL from `binDir`. As root it runs as the system user `postgres`
 * (scripts/install-temporal-server.sh makes sure it exists): PostgreSQL refuses to run as root.
 * `user` is the superuser initdb creates; password authentication over TCP, as on a real server (the
 * Temporal services send POSTGRES_PWD).
 */
export async function startPostgres(binDir: string, user: string): Promise<Postgres> {
  const osUser = process.getuid?.() === 0 ? 'postgres' : undefined;
  const base = mkdtempSync(path.join(os.tmpdir(), 'council-cluster-pg-'));
  chmodSync(base, 0o755);
  const dataDir = path.join(base, 'data');
  const pwFile = path.join(base, 'pwfile');
  const password = `pw-${process.pid}-${Date.now()}`;
  mkdirSync(dataDir, { mode: 0o700 });
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (osUser) {
    const [uid, gid] = ['-u', '-g'].map((flag) =>
      Number(execFileSync('id', [flag, osUser], { encoding: 'utf8' }).trim()),
    );
    for (const file of [base, dataDir, pwFile]) chownSync(file, uid!, gid!);
  }
  const asUser = osUser ? ['--reuid', osUser, '--regid', osUser, '--init-groups', '--'] : ['--'];
  await run(
    '/usr/bin/setpriv',
    [
      ...asUser,
      path.join(binDir, 'initdb'),
      ...['-D', dataDir, '-U', user, '--pwfile', pwFile, '-E', 'UTF8', '--locale', 'C'],
      ...['--auth-local', 'trust', '--auth-host', 'scram-sha-256', '--no-sync'],
    ],
    { cwd: base, timeout: 120_000 },
  );
  const port = await freePort();
  let current: ClusterProcess | undefined;
  const start = async () => {
    const postmaster = spawnClusterProcess(
      'postgres',
      path.join(binDir, 'postgres'),
      [
        ...['-D', dataDir, '-p', String(port), '-k', base, '-c', 'listen_addresses=127.0.0.1'],
        // Four Temporal processes with pools of 20 + 10 connections each, and room for the tools.
        ...['-c', 'max_connections=300'],
        // Durable against a killed process (the OS keeps the writes), not against a power cut: a test.
        ...['-c', 'fsync=off', '-c', 'full_page_writes=off'],
      ],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' }, cwd: base, user: osUser },
    );
    current = postmaster;
    await postmaster.waitForOutput(READY, 60_000);
  };
  await start();
  return {
    port,
    dir: base,
    user,
    password,
    process: () => current!,
    kill: async () => current?.kill(),
    start,
    async destroy() {
      await current?.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
