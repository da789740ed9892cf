import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from '../../client/devServer';

/**
 * A stand-in for `temporal`: it listens on the `--port` it is given and accepts TCP, but never speaks
 * gRPC, as a real server does in the moment between binding its port and serving (longer under load).
 */
function silentServerExecutable(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-silent-')), 'temporal');
  const script = [
    `#!${process.execPath}`,
    "const port = Number(process.argv[process.argv.indexOf('--port') + 1]);",
    "require('node:net').createServer(() => {}).listen(port, '127.0.0.1');",
  ].join('\n');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return file;
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
});
