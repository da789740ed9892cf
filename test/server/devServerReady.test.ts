import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { startDevServer } from '../../client/runtime/devServer';
import { temporalExecutable } from '../../client/runtime/temporalCli';

/** Writes a stand-in for `temporal` whose body is `lines` of Node.js, run with the arguments it was given. */
function standIn(name: string, lines: string[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), `council-${name}-`)), 'temporal');
  writeFileSync(file, [`#!${process.execPath}`, ...lines].join('\n'));
  chmodSync(file, 0o755);
  return file;
}

const BIND_ERROR =
  "process.stderr.write('Error: failed listening for HTTP API on 127.0.0.1:1: bind: address already in use\\n');";

/**
 * It binds the `--port` it is given and prints the real CLI's banner, but never speaks gRPC, as a real
 * server does in the moment between binding its port and serving (longer under load).
 */
function silentServerExecutable(): string {
  return standIn('silent', [
    "const port = Number(process.argv[process.argv.indexOf('--port') + 1]);",
    "require('node:net').createServer(() => {}).listen(port, '127.0.0.1', () => console.log(`Temporal Server: localhost:${port}`));",
  ]);
}

/** Fails the first start as a real server does when a port it meant to bind was taken; later starts run the real CLI. */
function portTakenOnceExecutable(): { executable: string; starts: () => number } {
  const counter = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-starts-')), 'starts');
  writeFileSync(counter, '');
  const executable = standIn('taken-once', [
    "const fs = require('node:fs');",
    `fs.appendFileSync(${JSON.stringify(counter)}, 'x');`,
    `if (fs.readFileSync(${JSON.stringify(counter)}, 'utf8').length === 1) { ${BIND_ERROR} process.exit(1); }`,
    `const real = require('node:child_process').spawn(${JSON.stringify(temporalExecutable())}, process.argv.slice(2), { stdio: 'inherit' });`,
    "process.on('SIGTERM', () => real.kill('SIGTERM'));",
    "real.on('exit', (code) => process.exit(code ?? 1));",
  ]);
  return { executable, starts: () => readFileSync(counter, 'utf8').length };
}

/** Starts slowly and then fails to bind, while another server already answers on the port it was given. */
function slowlyFailingExecutable(): string {
  return standIn('slow-fail', [`setTimeout(() => { ${BIND_ERROR} process.exit(1); }, 1500);`]);
}

describe('starting the embedded Temporal dev server', () => {
  it('does not report a server healthy that accepts TCP but answers no gRPC call', async () => {
    const startTimeoutMs = 3_000;
    const outcome = await startDevServer({ executable: silentServerExecutable(), startTimeoutMs }).then(
      async (server) => {
        await server.stop();
        return 'reported healthy';
      },
      (error: Error) => `${error.name}: ${error.message}`,
    );
    expect(outcome).toMatch(
      /^CouncilUserError: The Temporal dev server on 127\.0\.0\.1:\d+ accepted connections but did not answer/,
    );
    expect(outcome).toContain(`within ${startTimeoutMs} ms`);
  });

  it('starts again on fresh ports when a port was taken between being picked and being bound', async () => {
    const { executable, starts } = portTakenOnceExecutable();
    const server = await startDevServer({ executable, startTimeoutMs: 30_000 });
    try {
      const connection = await Connection.connect({ address: server.address });
      const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      expect(described.namespaceInfo?.name).toBe('default');
      expect(starts()).toBe(2);
    } finally {
      await server.stop();
    }
  });

  it('never takes another server that answers on its port for its own', async () => {
    const other = await startDevServer();
    try {
      const port = Number(other.address.split(':')[1]);
      const outcome = await startDevServer({ executable: slowlyFailingExecutable(), port }).then(
        async (server) => {
          await server.stop();
          return 'reported healthy';
        },
        (error: Error) => `${error.name}: ${error.message}`,
      );
      expect(outcome).toMatch(
        /^CouncilUserError: The Temporal dev server exited at start: .*address already in use/,
      );
    } finally {
      await other.stop();
    }
  });

  // Given one port for both, the real CLI checks the UI's before gRPC takes it, then logs why its
  // Web UI could not listen as a JSON line on stdout, and writes nothing on stderr: the error ended
  // in "exited at start: " and nothing after it.
  it('says why the real server exited when it said so only in its log', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const outcome = await startDevServer({ port, uiPort: port }).then(
      async (server) => {
        await server.stop();
        return 'started';
      },
      (error: Error) => `${error.name}: ${error.message}`,
    );
    expect(outcome).toMatch(
      new RegExp(
        `^CouncilUserError: The Temporal dev server exited at start: .*127\\.0\\.0\\.1:${port}.*address already in use`,
      ),
    );
  });
});
