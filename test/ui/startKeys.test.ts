import { clusterEnv, exited, panelConfig, startCli, stopStartedClis, waitFor } from '../cli/cli';
import { printedLink } from './support';

// A pasted config whose providers' keys are set for some participants and not others: the page says
// what to do on the page or to the `council ui` process, not a CLI flag its user cannot pass.
describe('council ui with a pasted config missing a key', () => {
  afterAll(stopStartedClis);

  it('names the missing key and how to fix it from the page', async () => {
    // OpenAI's key is set, Anthropic's is not: `council run` would refuse this config too.
    const env = clusterEnv('ui-start-keys', { OPENAI_API_KEY: 'test-openai-key' });
    const ui = startCli(['ui', '--port', '0', '--worker'], env);
    await waitFor('the address', () => /council ui on http:\/\/127\.0\.0\.1:\d+\//.test(ui.output.stdout), {
      process: ui,
    });
    const { url, keyHeader } = printedLink(ui.output.stdout);
    const token = /name="council-token" content="([0-9a-f]+)"/.exec(await (await fetch(url)).text())![1]!;
    const config = panelConfig({
      question: 'Ship on Fridays?',
      participants: [
        { name: 'Ada', role: 'panelist', model: { provider: 'openai', model: 'gpt-4o-mini' } },
        { name: 'Bob', role: 'panelist', model: { provider: 'anthropic', model: 'claude-3-5-haiku-latest' } },
      ],
    });
    const response = await fetch(`${url}api/runs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Council-Token': token, ...keyHeader },
      body: JSON.stringify({ kind: 'session', config: JSON.stringify(config) }),
    });
    const answer = (await response.json()) as { error: string; hint?: string };
    expect(response.status).toBe(400);
    expect(answer.error).toBe('ANTHROPIC_API_KEY is not set, and the config has participants that need it');
    expect(answer.hint).not.toContain('--simulate');
    expect(answer.hint).toBe(
      'set it in the environment of the `council ui` process and start it again, or choose ' +
        '"Default participants: SIMULATED" in the form',
    );

    ui.child.kill('SIGINT');
    await exited(ui.child);
    expect((await ui.done).code).toBe(0);
  });
});
