import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../../client/runtime/devServer';
import { isAlive, waitFor } from '../helpers/wait';

/** The status and body of a GET of `url` sent with `host` as its Host header (as a rebound DNS name sends it). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('the embedded Temporal dev server', () => {
  it('answers its HTTP API only under its own address: a page on a rebound DNS name reads nothing', async () => {
    const server = await startDevServer();
    try {
      const list = `${server.httpApiUrl}/api/v1/namespaces/default/workflows`;
      const { port } = new URL(list);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
        expect(await getWithHost(list, host)).toMatchObject({ status: 200 });
      }
      for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, 'evil.example']) {
        expect(await getWithHost(list, host)).toMatchObject({
          status: 403,
          body: expect.stringContaining('Host not allowed'),
        });
      }
    } finally {
      await server.stop();
    }
  });

  it('keeps workflows in its SQLite file across a stop and a second start', async () => {
    const dbFile = path.join(
      mkdtempSync(path.join(os.tmpdir(), 'council-devserver-')),
      'data',
      'temporal.sqlite',
    );
    const first = await startDevServer({ dbFile });
    const connection = await Connection.connect({ address: first.address });
    const client = new Client({ connection });
    await client.workflow.start('sessionWorkflow', {
      workflowId: 'persisted-across-restart',
      taskQueue: 'nobody-polls-this',
      args: [{ config: { strategy: 'broadcast' } }],
    });
    await connection.close();
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);

    const second = await startDevServer({ dbFile });
    const again = await Connection.connect({ address: second.address });
    const description = await new Client({ connection: again }).workflow
      .getHandle('persisted-across-restart')
      .describe();
    expect(description.status.name).toBe('RUNNING');
    await again.close();
    await second.stop();
  });

  it('leaves no server behind when the process that started it is SIGKILLed', async () => {
    const script = [
      "require('tsx/cjs');",
      "const { startDevServer } = require('./client/runtime/devServer');",
      'startDevServer().then((s) => console.log(JSON.stringify({ pid: s.pid })));',
    ].join('\n');
    const parent = spawn(process.execPath, ['-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the server pid', () => output.includes('pid'));
    const { pid } = JSON.parse(output) as { pid: number };
    const server = execFileSync('pgrep', ['-P', String(pid), '-x', 'temporal'], { encoding: 'utf8' }).trim();
    expect(isAlive(Number(server))).toBe(true);
    parent.kill('SIGKILL');
    await waitFor('the server to exit', () => !isAlive(pid) && !isAlive(Number(server)));
  });
});
