import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { clusterEnv, expectSuccess, exited, runCli, startCli, stopStartedClis, waitFor } from '../cli/cli';

/** `council ui` as a user starts it: its flag, its address, the worker it runs, Ctrl-C. */
describe('council ui from the CLI', () => {
  afterAll(stopStartedClis);

  it('refuses a bad --port and a port in use in one line each', async () => {
    const env = clusterEnv('ui-cli-port');
    const bad = await runCli(['ui', '--port', 'eighty'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('council: --port takes a whole number from 0 to 65535\n');

    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const busy = await runCli(['ui', '--port', String(port)], env);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toBe(`council: port ${port} is in use (pick another with --port)\n`);
    } finally {
      taken.close();
    }
  });

  it('serves a simulated run on 127.0.0.1 with the worker it starts, and stops on SIGINT', async () => {
    const env = clusterEnv('ui-cli');
    const id = `ui-cli-run-${Date.now()}`;
    expectSuccess(
      await runCli(['run', 'Should we ship on Fridays?', '--simulate', '--worker', '--id', id], env),
    );

    const ui = startCli(['ui', '--port', '0', '--worker'], env);
    await waitFor('the address', () => /council ui on http:\/\/127\.0\.0\.1:\d+\//.test(ui.output.stdout), {
      process: ui,
    });
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(ui.output.stdout)![0];
    const list = (await (await fetch(`${url}api/runs?q=fridays`)).json()) as { runs: Array<{ id: string }> };
    expect(list.runs.map((run) => run.id)).toEqual([id]);
    // The run is closed and on a simulated queue: `council ui` replays it on a simulated worker of its own.
    const view = (await (await fetch(`${url}api/runs/${id}`)).json()) as {
      live: boolean;
      entries: Array<{ from: string; content: string }>;
    };
    expect(view.live).toBe(false);
    expect(view.entries[0]).toMatchObject({ from: 'user', content: 'Should we ship on Fridays?' });
    expect(view.entries.slice(1).map((entry) => entry.content)).toEqual([
      expect.stringContaining('(simulated)'),
      expect.stringContaining('(simulated)'),
    ]);

    ui.child.kill('SIGINT');
    await exited(ui.child);
    expect((await ui.done).code).toBe(0);
    expect(ui.output.stderr).toBe('');
  });
});
