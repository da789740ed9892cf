import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UI_KEY_FILE } from '../../client/ui/uiKey';
import { waitFor as waitUntil } from '../helpers/wait';
import { clusterEnv, expectSuccess, exited, runCli, startCli, stopStartedClis, waitFor } from '../cli/cli';
import { printedLink } from './support';

/** `council ui` as a user starts it: its flag, its address, the worker it runs, Ctrl-C. */
describe('council ui from the CLI', () => {
  afterAll(stopStartedClis);

  it('refuses a bad --port and a port in use in one line each', async () => {
    const env = clusterEnv('ui-cli-port');
    for (const given of ['eighty', '', ' ']) {
      const bad = await runCli(['ui', '--port', given], env);
      expect([given, bad.code, bad.stderr]).toEqual([
        given,
        1,
        'council: --port takes a whole number from 0 to 65535\n',
      ]);
    }

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
    // Every suite shares one server: a word of this run's own is what the search must find it by.
    const word = `fridays${Date.now()}`;
    const question = `Should we ship on ${word}?`;
    expectSuccess(await runCli(['run', question, '--simulate', '--worker', '--id', id], env));

    const ui = startCli(['ui', '--port', '0', '--worker'], env);
    await waitFor('the address', () => /council ui on http:\/\/127\.0\.0\.1:\d+\//.test(ui.output.stdout), {
      process: ui,
    });
    const { url, keyHeader } = printedLink(ui.output.stdout);
    const list = (await (await fetch(`${url}api/runs?q=${word}`, { headers: keyHeader })).json()) as {
      runs: Array<{ id: string }>;
    };
    expect(list.runs.map((run) => run.id)).toEqual([id]);
    // The run is closed and on a simulated queue: `council ui` replays it on a simulated worker of its own.
    const view = (await (await fetch(`${url}api/runs/${id}`, { headers: keyHeader })).json()) as {
      live: boolean;
      entries: Array<{ from: string; content: string }>;
    };
    expect(view.live).toBe(false);
    expect(view.entries[0]).toMatchObject({ from: 'user', content: question });
    expect(view.entries.slice(1).map((entry) => entry.content)).toEqual([
      expect.stringContaining('(simulated)'),
      expect.stringContaining('(simulated)'),
    ]);

    ui.child.kill('SIGINT');
    await exited(ui.child);
    expect((await ui.done).code).toBe(0);
    expect(ui.output.stderr).toBe('');
    // The key of the link is kept for the next start, readable by this user only.
    const keyFile = path.join(env.COUNCIL_DATA_DIR ?? '', UI_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Object.values(keyHeader)).toEqual([readFileSync(keyFile, 'utf8').trim()]);
  });

  it('starts runs from the page on simulated workers of its own, and they finish', async () => {
    const env = clusterEnv('ui-cli-start');
    const ui = startCli(['ui', '--port', '0', '--worker'], env);
    await waitFor('the address', () => /council ui on http:\/\/127\.0\.0\.1:\d+\//.test(ui.output.stdout), {
      process: ui,
    });
    const { url, keyHeader } = printedLink(ui.output.stdout);
    const token = /name="council-token" content="([0-9a-f]+)"/.exec(await (await fetch(url)).text())![1]!;
    const start = async (body: object) => {
      const response = await fetch(`${url}api/runs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Council-Token': token, ...keyHeader },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(201);
      return (await response.json()) as { id: string; simulated: boolean };
    };
    const session = await start({ kind: 'session', question: 'Ship on Fridays?' });
    const council = await start({ kind: 'council', question: 'Review the rota.', mode: 'sequential' });
    expect([session.simulated, council.simulated]).toEqual([true, true]);
    type View = {
      workflowStatus: string;
      simulated: boolean;
      strategy: string;
      entries: Array<{ content: string }>;
    };
    const view = async (id: string) =>
      (await (await fetch(`${url}api/runs/${id}`, { headers: keyHeader })).json()) as View;
    for (const id of [session.id, council.id]) {
      await waitUntil(
        `${id} to finish`,
        async () => (await view(id)).workflowStatus === 'completed',
        60_000,
        200,
      );
      const done = await view(id);
      expect(done.simulated).toBe(true);
      expect(done.entries.some((entry) => entry.content.includes('(simulated)'))).toBe(true);
    }
    expect((await view(council.id)).strategy).toBe('sequential');

    ui.child.kill('SIGINT');
    await exited(ui.child);
    expect((await ui.done).code).toBe(0);
    expect(ui.output.stderr).toBe('');
  });
});
