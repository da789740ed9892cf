import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from './atomicFile';
import { startDevServer, type DevServer } from './devServer';
import { canConnect } from './devServerReady';
import { clearServerLeases, takeServerLease, type ServerLease } from './serverLeases';
import { awaitEarlierServerStop, isAlive } from './serverStopping';
import { OTHER_DATA_DIR, withServerStartLock } from './serverLock';
import { CouncilUserError } from '../../common/userError';
import { parseJsonAs } from '../../common/validation';
import { makeDirectory } from '../../storage/directories';

/** Where council keeps its embedded server's SQLite file, the workflow bundle cache and server.json. */
export function dataDirectory(flag?: string): string {
  // path.resolve('') is the working directory: an empty name must never put the database there.
  if (flag?.trim() === '') {
    throw new CouncilUserError(
      '--data-dir is empty: name a directory',
      'or leave it out for COUNCIL_DATA_DIR, else ~/.council',
    );
  }
  // An empty COUNCIL_DATA_DIR is unset, as shells take an empty variable.
  const fromEnv = process.env.COUNCIL_DATA_DIR?.trim() ? process.env.COUNCIL_DATA_DIR : undefined;
  return path.resolve(flag ?? fromEnv ?? path.join(os.homedir(), '.council'));
}

/** An embedded server this process uses: started here, or borrowed from another council process. */
export interface LocalServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The council process that published the server: this one when it started it. */
  pid: number;
  /** Set when this process started the server (and so stops it). */
  owned?: DevServer;
  /** Set when this process borrowed another's server: the owner stops it only once it is released. */
  lease?: ServerLease;
  /** The simulated worker the publishing process runs beside its server (`council server --worker`). */
  simulatedWorker?: PublishedWorker;
}

/** A worker that lives in the server's own process, so it polls for exactly as long as the server runs. */
export interface PublishedWorker {
  taskQueue: string;
  /** Whether it encrypts payloads: only a process with the same keys could share its runs. */
  encrypted: boolean;
}

/** How to open a data directory's server; `exclusive` refuses to borrow one (`council server`). */
interface OpenOptions {
  uiPort?: number;
  port?: number;
  exclusive?: boolean;
  onSpawn?: () => void;
}

/**
 * The servers this process started, by data directory, and how many of its openers use each: a second
 * Council.local() on the data directory shares the first's server, which stops at the last one's close
 * (releaseSharedServer), not under the others.
 */
const startedHere = new Map<string, { server: LocalServer; users: number }>();

const serverFileSchema = z.object({
  address: z.string(),
  namespace: z.string(),
  uiUrl: z.string().optional(),
  pid: z.number(),
  simulatedWorker: z.object({ taskQueue: z.string(), encrypted: z.boolean() }).optional(),
});

/**
 * The data directory's server: the one another council process (`council server`, a running `run`)
 * published in server.json if it still answers, else a new one on the same SQLite file. Two servers on
 * one SQLite file would corrupt it, and sharing lets `council server`'s UI show every run.
 */
export async function openLocalServer(dataDir: string, options: OpenOptions = {}): Promise<LocalServer> {
  try {
    makeDirectory(dataDir);
  } catch (error) {
    throw new CouncilUserError(
      `cannot use ${dataDir} as the data directory: ${(error as Error).message}`,
      OTHER_DATA_DIR,
    );
  }
  return withServerStartLock(dataDir, () => openUnderLock(dataDir, options));
}

async function openUnderLock(dataDir: string, options: OpenOptions): Promise<LocalServer> {
  // Shared while its process lives, answering or not: a second server on the SQLite file would corrupt it.
  const shared = startedHere.get(dataDir);
  if (shared?.server.owned && !options.exclusive && isAlive(shared.server.owned.pid)) {
    shared.users += 1;
    return shared.server;
  }
  const published = await publishedServer(dataDir);
  if (published && !options.exclusive) return { ...published, lease: takeServerLease(dataDir) };
  if (published) {
    // Whoever published it: `council server`, a `council run` whose server it is, an application.
    throw new CouncilUserError(
      `${dataDir} already has a Temporal server, at ${published.address}, started by process ` +
        `${published.pid} (a council command or an application's Council.local())`,
      'stop that process or let it finish, then start this again; or pass another --data-dir',
    );
  }
  await awaitEarlierServerStop(dataDir);
  clearServerLeases(dataDir);
  const owned = await startDevServer({
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    uiPort: options.uiPort,
    port: options.port,
    onSpawn: options.onSpawn,
  });
  const entry = { address: owned.address, namespace: owned.namespace, uiUrl: owned.uiUrl, pid: process.pid };
  writeFileAtomically(serverFile(dataDir), JSON.stringify(entry));
  const server = { ...entry, owned };
  startedHere.set(dataDir, { server, users: 1 });
  return server;
}

/**
 * Ends one opener's use of a server this process started: true when others here still use it (it
 * must not stop), false when this was the last (or the server is not one shared here).
 */
export function releaseSharedServer(dataDir: string, server: LocalServer): boolean {
  const shared = startedHere.get(dataDir);
  if (shared?.server !== server) return false;
  shared.users -= 1;
  if (shared.users > 0) return true;
  startedHere.delete(dataDir);
  return false;
}

/**
 * Withdraws the data directory's server.json if it publishes `address`, this process's server: no
 * one borrows it after. Another server's file (one started since) stays.
 */
export function withdrawServerFile(dataDir: string, address: string): void {
  try {
    const entry = readServerFile(dataDir);
    if (entry?.pid === process.pid && entry.address === address) rmSync(serverFile(dataDir), { force: true });
  } catch {
    // A server.json that cannot be removed leaves a file behind; the server must stop all the same.
  }
}

/**
 * Publishes (or, with undefined, withdraws) the simulated worker this process runs beside the server
 * it owns, so a `council run --simulate` that borrows the server leaves its runs to that worker.
 */
export function publishSimulatedWorker(dataDir: string, worker: PublishedWorker | undefined): void {
  const entry = readServerFile(dataDir);
  // Without a server.json of its own, this process publishes no server to borrow.
  if (entry?.pid !== process.pid) return;
  writeFileAtomically(serverFile(dataDir), JSON.stringify({ ...entry, simulatedWorker: worker }));
}

/** The server another council process published for this data directory, if it still answers. */
export async function publishedServer(dataDir: string): Promise<LocalServer | undefined> {
  makeDirectory(dataDir);
  const entry = readServerFile(dataDir);
  if (!entry) return undefined;
  // A publisher killed with SIGKILL leaves its file behind; its server died with it (see devServer).
  const [host = '127.0.0.1', port = '0'] = entry.address.split(':');
  if (!isAlive(entry.pid) || !(await canConnect(host, Number(port)))) return undefined;
  return entry;
}

/**
 * Whether the data directory still publishes `server`: its owner withdraws the file as it stops the
 * server, which a borrower cannot learn from the owner's pid when the owner's process lives on after
 * its close (an application's Council.local()).
 */
export function stillPublished(dataDir: string, server: Pick<LocalServer, 'address' | 'pid'>): boolean {
  const entry = readServerFile(dataDir);
  return entry?.address === server.address && entry.pid === server.pid;
}

function serverFile(dataDir: string): string {
  return path.join(dataDir, 'server.json');
}

/** The data directory's server.json; undefined when there is none or it does not parse. */
function readServerFile(dataDir: string): z.infer<typeof serverFileSchema> | undefined {
  let text: string;
  try {
    text = readFileSync(serverFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = parseJsonAs(serverFileSchema, text);
  return parsed.success ? parsed.data : undefined;
}
