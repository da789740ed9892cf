import type { LLMock } from '@copilotkit/aimock';
import { Client, Connection } from '@temporalio/client';
import { parseRunEvent } from '../../client/cli/eventSchemas';
import { parseJsonDocument } from '../../client/cli/jsonOutput';
import { CouncilStatusKey } from '../../common/searchAttributes';
import { chatRequests, answerAsParticipants, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { waitFor as poll } from '../helpers/wait';
import {
  TEST_ENV,
  clusterEnv,
  mockProviderEnv,
  runCli,
  startCli,
  stopStartedClis,
  writeConfig,
} from '../cli/cli';

// Each case spawns the CLI three times: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

/** A's worst case is $0.1, B's $1 ($1000/MTok output, one attempt): under $0.5, B waits for a person. */
const ASK_CONFIG = {
  strategy: 'broadcast',
  budget: { maxCostUsd: 0.5, onExhausted: 'ask' },
  participants: [
    ['A', 100],
    ['B', 1000],
  ].map(([name, maxOutputTokens]) => ({
    name,
    role: 'panelist',
    model: { provider: 'openai', model: 'gpt-4o-mini', price: { inputPerMTok: 0, outputPerMTok: 1000 } },
    maxOutputTokens,
    retry: { maximumAttempts: 1 },
  })),
};

describe('`council budget raise|stop` against a run waiting for its budget', () => {
  let mock: LLMock;
  let client: Client;

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    client = new Client({ connection: await Connection.connect({ address: TEST_ENV.address }) });
  });
  afterAll(async () => {
    await client?.connection.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  /** Starts `council run` of the ask config under `id` and waits until its call waits for the budget. */
  async function runUntilWaiting(id: string, env: Record<string, string>, output = '--json') {
    const config = writeConfig(`${id}.json`, ASK_CONFIG);
    const run = startCli(['run', 'What is 2 + 2?', '-c', config, '--id', id, '--worker', output], env);
    await poll(
      'the run to wait for its budget',
      async () => {
        const description = await client.workflow
          .getHandle(id)
          .describe()
          .catch(() => undefined);
        // A's call is sent as B starts to wait: its request may reach the mock a moment later.
        const answered = chatRequests(mock).length > 0;
        return answered && description?.typedSearchAttributes.get(CouncilStatusKey) === 'waiting-budget';
      },
      120_000,
      200,
    );
    expect(chatRequests(mock).map(speakerOf)).toEqual(['A']);
    return run;
  }

  /** The events of a `--events` run, complete lines only: the run may still be writing. */
  function events(stdout: string) {
    return stdout
      .slice(0, stdout.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => parseRunEvent(JSON.parse(line)));
  }

  it('`budget raise --by-usd` lets the waiting call go on and the run completes', async () => {
    const env = clusterEnv('budget-ask-raise', mockProviderEnv(mock));
    const run = await runUntilWaiting('budget-ask-raise', env);
    const [shown, shownJson] = await Promise.all([
      runCli(['session', 'show', 'budget-ask-raise'], env),
      runCli(['session', 'show', 'budget-ask-raise', '--json'], env),
    ]);
    expect(shown.stdout).toMatch(/budget: spent \$0\.\d{6} and \d+ tokens of \$0\.5;/);
    expect(shown.stdout).toContain("waiting-budget: B's call needs up to $1.000000 and");
    // The round is in play, B's call not ended (A's answer may still be on its way to the history).
    expect(shown.stdout).toMatch(
      /^Round 1 is being played \([01] of 2 call\(s\) ended\): `council attach budget-ask-raise` follows it to its end$/m,
    );
    // The documented shape keeps the budget: spend, limit and the call waiting for a person.
    expect(parseJsonDocument(JSON.parse(shownJson.stdout))).toMatchObject({
      type: 'session-show',
      activeRound: { round: 1 },
      budget: {
        limit: { maxCostUsd: 0.5 },
        spent: { tokens: expect.any(Number), usd: expect.any(Number) },
        exhausted: false,
        refusedCount: 0,
        waiting: { participant: 'B', phase: expect.any(String), needed: { usd: 1 } },
      },
    });
    // The run's progress line says what it waits for, how to answer and how long is left.
    await poll(
      "the run's progress to show the wait for a budget decision",
      () =>
        Promise.resolve(
          /B: waiting for a budget decision, \d+ s left \(council budget raise budget-ask-raise --by-usd N, or council budget stop budget-ask-raise\)/.test(
            run.output.stderr,
          ),
        ),
      60_000,
      200,
    );
    // The budget holds B's call before it begins (its progress log says waiting, not thinking) and
    // before any request: the model has heard from A only, and B has no answer.
    expect(chatRequests(mock).map(speakerOf)).toEqual(['A']);
    expect(run.output.stderr).not.toMatch(/B: done/);
    // A skip finds no call in flight: it says the budget's decision is what B waits for.
    const skipped = await runCli(['skip', 'budget-ask-raise', 'B'], env);
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toContain(
      'council: participant "B" of session budget-ask-raise has no call in flight: its call waits for a budget ' +
        'decision (refuse it with `council budget stop budget-ask-raise`, or let it go on with ' +
        '`council budget raise budget-ask-raise --by-usd N`)',
    );
    const raised = await runCli(['budget', 'raise', 'budget-ask-raise', '--by-usd', '1'], env);
    expect(raised).toMatchObject({ code: 0 });
    expect(raised.stdout).toContain('Raised the budget of session budget-ask-raise: limit $1.5');
    const result = await run.done;
    const json = JSON.parse(result.stdout) as { responses: Array<{ name: string; status: string }> };
    expect(json.responses.map((r) => [r.name, r.status])).toEqual([
      ['A', 'ok'],
      ['B', 'ok'],
    ]);
    expect(chatRequests(mock).map(speakerOf)).toEqual(['A', 'B']);
    expect(result.code).toBe(0);
  });

  it('`run --events` emits the wait for a budget decision, then that it resumed after the raise', async () => {
    const id = 'budget-ask-events';
    const env = clusterEnv(id, mockProviderEnv(mock));
    const run = await runUntilWaiting(id, env, '--events');
    const budgetEvents = (stdout: string) => events(stdout).filter((event) => event.type === 'budget');
    await poll(
      'the wait for a budget decision as an event',
      () => Promise.resolve(budgetEvents(run.output.stdout).length > 0),
      60_000,
      200,
    );
    expect(budgetEvents(run.output.stdout)).toEqual([
      expect.objectContaining({
        name: 'B',
        state: 'waiting',
        until: expect.stringMatching(/Z$/),
        // The budget has a money limit only: a raise in tokens would be refused.
        raise: `council budget raise ${id} --by-usd N`,
        stop: `council budget stop ${id}`,
      }),
    ]);
    expect(await runCli(['budget', 'raise', id, '--by-usd', '1'], env)).toMatchObject({ code: 0 });
    const result = await run.done;
    expect(result.code).toBe(0);
    const all = events(result.stdout);
    expect(budgetEvents(result.stdout).map((event) => [event.name, event.state])).toEqual([
      ['B', 'waiting'],
      ['B', 'resumed'],
    ]);
    const resumed = all.findIndex((event) => event.type === 'budget' && event.state === 'resumed');
    const answered = all.findIndex((event) => event.type === 'answer' && event.name === 'B');
    expect(answered).toBeGreaterThan(resumed);
    // Under a budget an answer event carries its cost, as its row of the result does.
    const last = all.at(-1);
    const rowOfB = last?.type === 'result' ? last.responses.find((row) => row.name === 'B') : undefined;
    expect(rowOfB?.costUsd).toEqual(expect.any(Number));
    expect(all[answered]).toMatchObject({ costUsd: rowOfB?.costUsd });
    expect(all.at(-1)).toMatchObject({ type: 'result', status: 'ok' });
  });

  it('`budget stop` ends the wait: the call is refused with a clear error, and a raise needs exactly one amount', async () => {
    const env = clusterEnv('budget-ask-stop', mockProviderEnv(mock));
    const run = await runUntilWaiting('budget-ask-stop', env);
    const wrong = await runCli(['budget', 'raise', 'budget-ask-stop', '--by-usd', '1', '--to-usd', '3'], env);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('give exactly one of --by-usd, --to-usd, --by-tokens, --to-tokens');
    const stopped = await runCli(['budget', 'stop', 'budget-ask-stop'], env);
    expect(stopped).toMatchObject({ code: 0 });
    expect(stopped.stdout).toContain('stopped (person)');
    const result = await run.done;
    const json = JSON.parse(result.stdout) as {
      responses: Array<{ name: string; status: string; error?: { type: string; message: string } }>;
      budget: { stopped?: string; exhausted: boolean };
    };
    expect(json.responses.map((r) => [r.name, r.status, r.error?.type])).toEqual([
      ['A', 'ok', undefined],
      ['B', 'skipped', 'BudgetExhausted'],
    ]);
    expect(json.responses[1]?.error?.message).toContain(
      'a person stopped it (stopBudget, or `council budget stop`)',
    );
    expect(json.budget).toMatchObject({ stopped: 'person', exhausted: true });
    expect(chatRequests(mock).map(speakerOf)).toEqual(['A']);
    expect(result.code).toBe(2);
  });

  // Its close waited for the round, held by the budget for up to askTimeoutMs, and printed nothing.
  it('`session close` of a run whose round waits for a budget decision says so, and closes once `budget stop` ends it', async () => {
    const env = clusterEnv('budget-ask-close', mockProviderEnv(mock));
    const run = await runUntilWaiting('budget-ask-close', env);
    const close = startCli(['session', 'close', 'budget-ask-close'], env);
    await poll(
      'the close to say why it waits',
      () => close.output.stdout.includes('budget decision'),
      120_000,
      100,
    );
    expect(close.output.stdout).toMatch(
      /^Session budget-ask-close closes after 1 round\(s\) in play: B's call waits for a budget decision until \S+Z \(council budget raise budget-ask-close --by-usd N, or council budget stop budget-ask-close\)\n/,
    );
    expect(await runCli(['budget', 'stop', 'budget-ask-close'], env)).toMatchObject({ code: 0 });
    const closed = await close.done;
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('Closed session budget-ask-close after 1 round(s)');
    expect((await run.done).code).toBe(2);
  });

  it('`run --events` under `budget stop` emits that the wait stopped, and no thinking for the refused call (its row is in the result alone)', async () => {
    const id = 'budget-ask-stop-events';
    const env = clusterEnv(id, mockProviderEnv(mock));
    const run = await runUntilWaiting(id, env, '--events');
    expect(await runCli(['budget', 'stop', id], env)).toMatchObject({ code: 0 });
    const result = await run.done;
    expect(result.code).toBe(2);
    const ofB = events(result.stdout).filter((event) => 'name' in event && event.name === 'B');
    expect(ofB.map((event) => [event.type, 'state' in event ? event.state : undefined])).toEqual([
      ['budget', 'waiting'],
      ['budget', 'stopped'],
    ]);
    expect(ofB[1]).toMatchObject({ reason: expect.stringContaining('a person stopped it') });
  });
});
