import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect } from '../../client/runtime/devServerReady';
import { freePort } from '../../client/runtime/freePort';
import { openLocalServer } from '../../client/runtime/localServer';
import { closeLocalServer } from '../../client/runtime/localServerClose';
import { cliEnv, runCli, serverProcesses, startCouncilServer, waitFor } from '../cli/cli';

// A second command on a data directory borrows the first one's server. When the owner is done first,
// the server must outlive it until the borrower is done too: stopping it lost the borrower's work.
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
/** Opens the data directory's server, says so, and closes it when told (a line on stdin). */
const OWNER = `
const { openLocalServer } = require('./client/runtime/localServer');
const { closeLocalServer } = require('./client/runtime/localServerClose');
const dataDir = process.argv[1];
openLocalServer(dataDir).then((server) => {
  console.log(server.owned ? 'owner ready' : 'not the owner');
  process.stdin.once('data', () => {
    console.log('closing');
    closeLocalServer(dataDir, server, {
      onWaitForUsers: (pids) => console.log('waiting for ' + pids.join(',')),
    }).then(() => console.log('closed'));
  });
});
`;

const answers = (address: string) => {
  const [host = '127.0.0.1', port = '0'] = address.split(':');
  return canConnect(host, Number(port));
};

describe('a server borrowed by another process', () => {
  it('outlives its owner until the borrower is done, then stops', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-lease-'));
    const owner = spawn(process.execPath, ['--import', 'tsx', '-e', OWNER, dataDir], {
      cwd: ROOT,
      env: cliEnv(),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let stdout = '';
    owner.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      await waitFor('the owner to open its server', () => stdout.includes('owner ready'), {
        timeoutMs: 60_000,
      });
      const borrowed = await openLocalServer(dataDir);
      expect(borrowed.owned).toBeUndefined();

      owner.stdin.write('close\n');
      await waitFor('the owner to see the borrower', () => stdout.includes(`waiting for ${process.pid}`), {
        timeoutMs: 20_000,
      });
      // The owner waits; the server keeps answering the borrower.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(stdout).not.toContain('closed');
      expect(await answers(borrowed.address)).toBe(true);
      expect(serverProcesses(dataDir)).toHaveLength(1);

      await closeLocalServer(dataDir, borrowed);
      await waitFor('the owner to stop its server', () => stdout.includes('closed'), { timeoutMs: 20_000 });
      await waitFor('the server to exit', () => serverProcesses(dataDir).length === 0, { timeoutMs: 20_000 });
      expect(readdirSync(path.join(dataDir, 'server-leases'))).toEqual([]);
    } finally {
      owner.kill('SIGKILL');
    }
  });

  it('`council server` stops at Ctrl-C, naming the processes that still used it', async () => {
    const env = cliEnv();
    const dataDir = env.COUNCIL_DATA_DIR ?? '';
    const server = await startCouncilServer(env);
    try {
      const borrowed = await openLocalServer(dataDir);
      expect(borrowed.owned).toBeUndefined();
      server.child.kill('SIGINT');
      const { code, stdout } = await server.done;
      expect(code).toBe(0);
      expect(stdout).toContain(
        `another council process (pid ${process.pid}) still used this server and loses it`,
      );
      expect(stdout).toContain('server stopped');
      expect(serverProcesses(dataDir)).toEqual([]);
      await closeLocalServer(dataDir, borrowed);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('`council server` on a data directory whose server another process started names that process', async () => {
    const env = cliEnv();
    const dataDir = env.COUNCIL_DATA_DIR ?? '';
    const server = await openLocalServer(dataDir);
    try {
      const ports = [String(await freePort()), String(await freePort())];
      const refused = await runCli(['server', '--port', ports[0] ?? '', '--ui-port', ports[1] ?? ''], env);
      expect(refused.code).toBe(1);
      // It called this test's process "a council server", which it is not.
      expect(refused.stderr).toContain(
        `${dataDir} already has a Temporal server, at ${server.address}, started by process ${process.pid} `,
      );
      expect(refused.stderr).toContain('stop that process or let it finish');
    } finally {
      await closeLocalServer(dataDir, server);
    }
  });

  it('stops at once when the only borrowers left are gone (killed without releasing)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-lease-'));
    const server = await openLocalServer(dataDir);
    try {
      expect(server.owned).toBeDefined();
      // A real process that took a lease and ended without releasing it.
      const borrower = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
      await new Promise((resolve) => borrower.once('exit', resolve));
      mkdirSync(path.join(dataDir, 'server-leases'), { recursive: true });
      writeFileSync(path.join(dataDir, 'server-leases', `${borrower.pid}.1.left-by-a-killed-borrower`), '');
      const waitedFor: number[][] = [];
      await closeLocalServer(dataDir, server, { onWaitForUsers: (pids) => waitedFor.push(pids) });
      expect(waitedFor).toEqual([]);
      expect(serverProcesses(dataDir)).toEqual([]);
      expect(readdirSync(path.join(dataDir, 'server-leases'))).toEqual([]);
    } finally {
      await closeLocalServer(dataDir, server);
    }
  });

  it('starts a new server with no leases: those left were on a server that is gone', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-lease-'));
    // A live process that took a lease on an earlier server (its owner was killed, say) and runs on.
    const LEASE = `require('./client/runtime/serverLeases').takeServerLease(process.argv[1]);
      console.log('leased'); setTimeout(() => {}, 60000);`;
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', LEASE, dataDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let said = '';
    holder.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
    try {
      await waitFor('the lease', () => said.includes('leased'), { timeoutMs: 30_000 });
      const server = await openLocalServer(dataDir);
      const waitedFor: number[][] = [];
      await closeLocalServer(dataDir, server, { onWaitForUsers: (pids) => waitedFor.push(pids) });
      expect(waitedFor).toEqual([]);
      expect(serverProcesses(dataDir)).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('does not count a lease whose pid now belongs to another process (its start time differs)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'council-lease-'));
    const server = await openLocalServer(dataDir);
    try {
      // This jest worker's parent is alive; a lease naming it with another start time is a reused pid's.
      mkdirSync(path.join(dataDir, 'server-leases'), { recursive: true });
      writeFileSync(path.join(dataDir, 'server-leases', `${process.ppid}.1.an-earlier-process`), '');
      const waitedFor: number[][] = [];
      await closeLocalServer(dataDir, server, { onWaitForUsers: (pids) => waitedFor.push(pids) });
      expect(waitedFor).toEqual([]);
      expect(serverProcesses(dataDir)).toEqual([]);
    } finally {
      await closeLocalServer(dataDir, server);
    }
  });
});
