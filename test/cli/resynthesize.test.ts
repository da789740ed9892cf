import { clusterEnv, runCli, stopStartedClis } from './cli';

jest.setTimeout(300_000);
afterAll(stopStartedClis);

interface CouncilJson {
  id: string;
  simulated: boolean;
  status: string;
  synthesis: { name: string; role: string; status: string };
  responses: Array<{ name: string; role: string; content: string }>;
  resynthesizedFrom?: string;
}

describe('council resynthesize', () => {
  it('re-synthesizes and re-ranks a finished council under a new id, linked to it', async () => {
    const env = clusterEnv('resynthesize');
    const source = await runCli(['run', '-c', 'examples/council-parallel.yaml', '--worker', '--json'], env);
    expect(source.code).toBe(0);
    const first = JSON.parse(source.stdout) as CouncilJson;

    const args = ['resynthesize', first.id, '--worker', '--synthesizer-name', 'Chairman'];
    const again = await runCli([...args, '--rubric', 'Prefer brevity.'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`a re-synthesis of ${first.id}`);
    expect(again.stdout).toContain('── Peer review (anonymous) ──');

    const json = await runCli([...args, '--json'], env);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as CouncilJson;
    expect(result.id).not.toBe(first.id);
    expect(result).toMatchObject({ simulated: true, status: 'ok', resynthesizedFrom: first.id });
    // The synthesis is an answer row like the others (docs/json.md).
    expect(result.synthesis).toMatchObject({ name: 'Chairman', role: 'synthesizer', status: 'ok' });
    // The experts' answers are the source's, word for word.
    const experts = (r: CouncilJson) => r.responses.filter((row) => row.role === 'expert');
    expect(experts(result).map((row) => row.content)).toEqual(experts(first).map((row) => row.content));
    // A taken id is refused in the CLI's terms: the flag to change, and what to do with the run.
    const taken = await runCli([...args, '--id', result.id], env);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(
      `council: a session or council with id "${result.id}" already exists (closed) ` +
        `(pick another --id, or read it with \`council show ${result.id}\`)`,
    );
  });

  it("synthesizes a session's last round from its recorded answers", async () => {
    const env = clusterEnv('resynthesize-session');
    const source = await runCli(
      ['run', '-c', 'examples/broadcast.yaml', '--worker', '--json', 'Which first?'],
      env,
    );
    expect(source.code).toBe(0);
    const session = JSON.parse(source.stdout) as { id: string; responses: Array<{ content: string }> };

    const json = await runCli(['resynthesize', session.id, '--worker', '--json'], env);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as CouncilJson;
    expect(result).toMatchObject({ simulated: true, status: 'ok', resynthesizedFrom: session.id });
    const experts = result.responses.filter((row) => row.role === 'expert').map((row) => row.content);
    expect(experts).toEqual(session.responses.map((row) => row.content));
  });

  it('says plainly when the source is no council', async () => {
    const result = await runCli(['resynthesize', 'no-such-council-id'], clusterEnv('resynthesize-missing'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no session or council with id "no-such-council-id"');
  });
});
