import type { LLMock } from '@copilotkit/aimock';
import { parseRunEvent } from '../../client/cli/eventSchemas';
import { parseJsonDocument } from '../../client/cli/jsonOutput';
import { answerAsParticipants, chatRequests, promptText, speakerOf, startMockLlm } from '../helpers/mockLlm';
import {
  cliEnv,
  clusterEnv,
  expectSuccess,
  holdAnswers,
  exited,
  mockProviderEnv,
  panelConfig,
  runCli,
  runCliWithInput,
  startCli,
  stopStartedClis,
  startedId,
  TEST_ENV,
  waitFor,
  writeConfig,
} from './cli';

/** The panel, its calls retried within seconds of a dead worker: a call cut off is made again soon. */
function quicklyRetriedPanel(file: string): string {
  const fastRetry = { timeouts: { heartbeatMs: 1500 }, retry: { initialIntervalMs: 100 } };
  return writeConfig(file, {
    ...panelConfig(),
    participants: panelConfig().participants.map((p) => ({ ...p, ...fastRetry })),
  });
}

// Every case spawns the CLI (and often a worker): minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council session', () => {
  let mock: LLMock;
  let env: Record<string, string>;
  let config: string;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    env = clusterEnv('session', mockProviderEnv(mock));
    config = writeConfig('panel.yaml', panelConfig());
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('start, send (to all, then to one), show, list with filters, cancel', async () => {
    const id = `cli-session-${process.pid}`;
    const start = await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env);
    expectSuccess(start);
    expect(start.stdout).toContain(`Started session ${id} (broadcast)`);
    expect(start.code).toBe(0);

    const first = await runCli(['session', 'send', id, 'First question?', '--worker'], env);
    expectSuccess(first);
    expect(first.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer/);
    expect(first.stdout).toMatch(/Expert-2 \(panelist\)\nExpert-2: answer/);

    const second = await runCli(
      ['session', 'send', id, 'Only you?', '--to', 'Expert-2', '--worker', '--json'],
      env,
    );
    expectSuccess(second);
    expect(JSON.parse(second.stdout)).toMatchObject({
      id,
      round: 2,
      responses: [{ name: 'Expert-2', status: 'ok' }],
    });

    const show = await runCli(['session', 'show', id, '--worker'], env);
    expectSuccess(show);
    expect(show.stdout).toContain(`Session ${id}: broadcast, running, 2 round(s), 45 tokens`);
    expect(show.stdout).toMatch(
      /── Round 1 ── user: First question\?[\s\S]*Expert-1 \(panelist\) · 15 tokens · worker \S+\nExpert-1: answer/,
    );
    // The message sent to one participant says so: the transcript keeps whom it was for.
    expect(show.stdout).toMatch(
      /── Round 2 ── user \(to Expert-2\): Only you\?\n\nExpert-2 \(panelist\) · 15 tokens/,
    );

    // Running while it takes rounds, between them as during one.
    const running = await listIds(['--strategy', 'broadcast', '--status', 'running']);
    expect(running).toContain(id);
    expect(await listIds(['--strategy', 'roundRobin'])).not.toContain(id);
    expect(await listIds(['--status', 'closed'])).not.toContain(id);
    const text = await runCli(['session', 'list', '--kind', 'session', '--status', 'running'], env);
    expectSuccess(text);
    expect(text.stdout).toContain(
      "Temporal UI filter: CouncilKind = 'session' AND CouncilStatus = 'running' AND ExecutionStatus = 'Running'",
    );

    const cancel = await runCli(['session', 'cancel', id, '--worker'], env);
    expectSuccess(cancel);
    expect(cancel.stdout).toContain(`Cancelled session ${id}`);
    const after = await runCli(['session', 'list', '--json', '--limit', '200'], env);
    const row = (
      JSON.parse(after.stdout) as { items: Array<{ id: string; workflowStatus: string }> }
    ).items.find((r) => r.id === id);
    expect(row?.workflowStatus).toBe('cancelled');

    // Its id names it still: a new session under it would hide it from `show` and `attach`.
    const again = await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env);
    expect(again).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `council: a session or council with id "${id}" already exists (closed) (pick another --id, or read it with \`council show ${id}\`)\n`,
    });
  });

  it('send - reads the message from stdin: longer than the 128 KiB one argument may be', async () => {
    const id = `cli-session-stdin-${process.pid}`;
    expectSuccess(await runCli(['session', 'start', '-c', config, '--id', id, '--worker'], env));
    const long = `${'Consider every option in turn. '.repeat(5000)}Which one?`;
    const sent = await runCliWithInput(['send', id, '-', '--worker'], env, long);
    expectSuccess(sent);
    expect(sent.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer/);
    const shown = await runCli(['show', id, '--json', '--worker'], env);
    const transcript = (JSON.parse(shown.stdout) as { transcript: Array<{ role: string; content: string }> })
      .transcript;
    // Compared by length and ends: a failure prints what it received, not 155 KB of it.
    const asked = transcript.find((entry) => entry.role === 'user')?.content ?? '';
    expect([asked.length, asked.slice(0, 30), asked.slice(-10)]).toEqual([
      long.length,
      long.slice(0, 30),
      'Which one?',
    ]);
    expect(asked === long).toBe(true);
    expectSuccess(await runCli(['session', 'cancel', id, '--worker'], env));
  });

  it("start says the config's question is not sent, and how to ask it", async () => {
    const id = `cli-session-question-${process.pid}`;
    const asking = writeConfig('panel-question.yaml', { ...panelConfig(), question: 'Four-day week?' });
    const start = await runCli(['session', 'start', '-c', asking, '--id', id, '--worker'], env);
    expectSuccess(start);
    expect(start.stdout).toContain(
      `The config's question is not sent: \`session start\` only starts the session. Ask it with: council send ${id} 'Four-day week?'`,
    );
    expectSuccess(await runCli(['session', 'cancel', id, '--worker'], env));
  });

  it('attach, after the CLI was SIGKILLed with a call in flight, resumes the run and prints its result', async () => {
    const gated = await startMockLlm();
    // The kill lands while the mock holds a call.
    const { seen, open } = holdAnswers(gated);
    try {
      const gatedEnv = clusterEnv('attach', mockProviderEnv(gated));
      const cfg = quicklyRetriedPanel('slow.yaml');
      const run = startCli(['run', 'Will this survive a crash?', '-c', cfg, '--worker'], gatedEnv);
      await waitFor('the run id', () => startedId(run.output.stdout) !== undefined, { process: run });
      await waitFor('a call in flight', () => seen.length >= 1, { process: run });
      run.child.kill('SIGKILL');
      await exited(run.child);
      const inFlightAtKill = seen.length;
      open();
      const id = startedId(run.output.stdout) ?? '';
      expect(run.output.stdout).not.toContain('Total time');

      const attach = await runCli(['session', 'attach', id, '--worker'], gatedEnv);
      expect(attach).toMatchObject({ code: 0, stderr: '' });
      expect(attach.stdout).toContain(`Attached to session ${id} (running)`);
      expect(attach.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer/);
      expect(attach.stdout).toMatch(/Expert-2 \(panelist\)\nExpert-2: answer/);
      expect(attach.stdout).toMatch(/│ Total\s+│\s+│\s+│\s+20 │\s+10 │\s+30 │/);
      // Every call the kill cut off was made again, by the worker of `attach`.
      expect(seen.length).toBe(inFlightAtKill + 2);

      const list = await runCli(['session', 'list', '--json', '--limit', '200'], gatedEnv);
      const row = (
        JSON.parse(list.stdout) as { items: Array<{ id: string; councilStatus: string }> }
      ).items.find((r) => r.id === id);
      expect(row?.councilStatus).toBe('closed');
    } finally {
      await gated.stop();
    }
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'send and attach interrupted by %s say how to follow the round, which goes on',
    async (signal, code) => {
      const gated = await startMockLlm();
      const { seen, open } = holdAnswers(gated);
      try {
        const gatedEnv = clusterEnv('send-interrupt', mockProviderEnv(gated));
        const cfg = quicklyRetriedPanel('held.yaml');
        const id = `cli-send-interrupt-${signal}-${process.pid}`;
        expectSuccess(await runCli(['session', 'start', '-c', cfg, '--id', id, '--worker'], gatedEnv));
        const send = startCli(['send', id, 'Still there?', '--worker'], gatedEnv);
        await waitFor('a call in flight', () => seen.length >= 1, { process: send });
        send.child.kill(signal);
        const interrupted = await send.done;
        expect(interrupted.code).toBe(code);
        expect(interrupted.stdout).toContain(
          `Interrupted. The round goes on when a worker serves it: council attach ${id}`,
        );
        // An attach interrupted the same way says the same: nothing of the round is lost to it.
        const following = startCli(['attach', id, '--worker'], gatedEnv);
        await waitFor(
          'attach to follow the round',
          () => following.output.stdout.includes(`Attached to session ${id}`),
          {
            process: following,
          },
        );
        following.child.kill(signal);
        const detached = await following.done;
        expect(detached.code).toBe(code);
        expect(detached.stdout).toContain(
          `Interrupted. The round goes on when a worker serves it: council attach ${id}`,
        );
        open();
        // What the hint says works: attach serves the session and prints the round's answers.
        const attach = await runCli(['attach', id, '--worker'], gatedEnv);
        expect(attach).toMatchObject({ code: 0, stderr: '' });
        expect(attach.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer/);
        expect(attach.stdout).toMatch(/Expert-2 \(panelist\)\nExpert-2: answer/);
      } finally {
        await gated.stop();
      }
    },
  );

  it('a council run interrupted says the council goes on, and attach finishes it', async () => {
    const held = await startMockLlm();
    const { seen, open } = holdAnswers(held);
    try {
      const heldEnv = clusterEnv('council-interrupt', mockProviderEnv(held));
      const run = startCli(['run', '-c', 'examples/council-parallel.yaml', '--worker'], heldEnv);
      await waitFor('the experts to be called', () => seen.length >= 3, { process: run });
      const id = startedId(run.output.stdout) ?? '';
      run.child.kill('SIGINT');
      const interrupted = await run.done;
      expect(interrupted.code).toBe(130);
      expect(interrupted.stdout).toContain(
        `Interrupted. The council goes on when a worker serves it: council attach ${id}`,
      );
      open();
      const attach = await runCli(['attach', id, '--worker'], heldEnv);
      expect(attach).toMatchObject({ code: 0, stderr: '' });
      expect(attach.stdout).toContain('── Synthesis ──');
    } finally {
      await held.stop();
    }
  });

  it('a run on a task queue of its own, interrupted, says it waits for attach, which finishes it', async () => {
    const held = await startMockLlm();
    const { seen, open } = holdAnswers(held);
    try {
      // No COUNCIL_TASK_QUEUE: a run with keys and its own worker gets the queue council-<id>.
      const ownEnv = { ...cliEnv({ TEMPORAL_ADDRESS: TEST_ENV.address }), ...mockProviderEnv(held) };
      const cfg = writeConfig('own-queue.yaml', panelConfig());
      const run = startCli(['run', 'Still there?', '-c', cfg, '--worker'], ownEnv);
      await waitFor('the calls to be made', () => seen.length >= 2, { process: run });
      const id = startedId(run.output.stdout) ?? '';
      run.child.kill('SIGINT');
      const interrupted = await run.done;
      expect(interrupted.code).toBe(130);
      expect(interrupted.stdout).toContain(
        `Interrupted. The run waits: only a worker on its own task queue council-${id} serves it, and attach runs one: council attach ${id}`,
      );
      open();
      const attach = await runCli(['attach', id, '--worker'], ownEnv);
      expect(attach).toMatchObject({ code: 0, stderr: '' });
      expect(attach.stdout).toMatch(/Expert-1 \(panelist\)\nExpert-1: answer/);
    } finally {
      await held.stop();
    }
  });

  it('run --events and attach --json interrupted end stdout with a detached event and document', async () => {
    const held = await startMockLlm();
    const { seen, open } = holdAnswers(held);
    try {
      const heldEnv = clusterEnv('council-detached', mockProviderEnv(held));
      const run = startCli(['run', '-c', 'examples/council-parallel.yaml', '--worker', '--events'], heldEnv);
      await waitFor('the experts to be called', () => seen.length >= 3, { process: run });
      const id = startedId(run.output.stderr) ?? '';
      run.child.kill('SIGINT');
      const interrupted = await run.done;
      expect(interrupted.code).toBe(130);
      const events = interrupted.stdout
        .trim()
        .split('\n')
        .map((line) => parseRunEvent(JSON.parse(line)));
      expect(events[0]).toMatchObject({ type: 'started', id });
      expect(events.at(-1)).toMatchObject({
        type: 'detached',
        id,
        kind: 'council',
        signal: 'SIGINT',
        goesOn: 'The council goes on when a worker serves it',
        attach: `council attach ${id}`,
        exitCode: 130,
      });

      const following = startCli(['attach', id, '--worker', '--json'], heldEnv);
      await waitFor('attach to follow the council', () => following.output.stderr.includes('Attached to'), {
        process: following,
      });
      following.child.kill('SIGTERM');
      const detached = await following.done;
      expect(detached.code).toBe(143);
      expect(parseJsonDocument(JSON.parse(detached.stdout))).toMatchObject({
        type: 'detached',
        id,
        signal: 'SIGTERM',
        exitCode: 143,
      });
      open();
      const attach = await runCli(['attach', id, '--worker', '--json'], heldEnv);
      expect(attach.code).toBe(0);
      expect(parseJsonDocument(JSON.parse(attach.stdout))).toMatchObject({ type: 'council-result', id });
    } finally {
      await held.stop();
    }
  });

  it("send adds a person's message to a running council, and the synthesis reads it", async () => {
    const held = await startMockLlm();
    const { seen, open } = holdAnswers(held);
    try {
      const heldEnv = clusterEnv('council-send', mockProviderEnv(held));
      const run = startCli(['run', '-c', 'examples/council-parallel.yaml', '--worker', '--json'], heldEnv);
      await waitFor('the experts to be called', () => seen.length >= 3, { process: run });
      const id = startedId(run.output.stderr) ?? '';
      const send = await runCli(['session', 'send', id, 'Keep it under $500 a month.', '--worker'], heldEnv);
      expectSuccess(send);
      expect(send.stdout).toMatch(new RegExp(`^Added message \\S+ to council ${id}\\n$`));
      // With --json, stdout is one document: the message as the council stored it.
      const sendJson = await runCli(['send', id, 'And keep it simple.', '--worker', '--json'], heldEnv);
      expectSuccess(sendJson);
      expect(parseJsonDocument(JSON.parse(sendJson.stdout))).toMatchObject({
        type: 'council-message',
        id,
        kind: 'council',
        message: { sender: 'human', content: 'And keep it simple.' },
      });
      open();

      const result = await run.done;
      expectSuccess(result);
      const json = JSON.parse(result.stdout) as { messages: Array<{ sender: string; content: string }> };
      expect(json.messages).toContainEqual(
        expect.objectContaining({ sender: 'human', content: 'Keep it under $500 a month.' }),
      );
      const synthesis = chatRequests(held).find((entry) => speakerOf(entry) === 'Synthesizer');
      expect(synthesis && promptText(synthesis)).toContain('Keep it under $500 a month.');
    } finally {
      await held.stop();
    }
  });

  async function listIds(filters: string[]): Promise<string[]> {
    const result = await runCli(['session', 'list', '--json', '--limit', '200', ...filters], env);
    expectSuccess(result);
    return (JSON.parse(result.stdout) as { items: Array<{ id: string }> }).items.map((row) => row.id);
  }
});
