import type { LLMock } from '@copilotkit/aimock';
import { parseJsonDocument } from '../../client/cli/jsonOutput';
import { answerAsParticipants, chatRequests, promptText, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { clusterEnv, expectSuccess, mockProviderEnv, runCli, stopStartedClis } from './cli';

// Spawns the CLI with its own worker: a minute on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council run --json of examples/turn-debate.yaml', () => {
  let mock: LLMock;
  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
  });
  afterAll(async () => mock?.stop());

  it("prints the seed's four turns and, per expert and round, the message ids its prompt held", async () => {
    const result = await runCli(
      ['run', '--config', 'examples/turn-debate.yaml', '--worker', '--json'],
      clusterEnv('turn-debate-json', mockProviderEnv(mock)),
    );
    expectSuccess(result);
    const document = parseJsonDocument(JSON.parse(result.stdout));
    if (document.type !== 'council-result') throw new Error(`printed a ${document.type}`);

    const requests = chatRequests(mock);
    expect(requests.map((entry) => speakerOf(entry))).toEqual([
      'Build Advocate',
      'Buy Advocate',
      'Build Advocate',
      'Buy Advocate',
      'Judge',
    ]);
    const messages = document.messages ?? [];
    expect(messages.map((m) => `${m.sender}:${m.type}`)).toEqual([
      'build:response',
      'buy:critique',
      'build:clarification',
      'buy:response',
    ]);
    const contexts = document.conversationContext ?? {};
    const turns = [...(contexts.build?.turns ?? []), ...(contexts.buy?.turns ?? [])].sort(
      (a, b) => a.round - b.round,
    );
    expect(turns.map((turn) => [turn.round, turn.answerId])).toEqual(messages.map((m, i) => [i + 1, m.id]));
    // Round N was shown the N-1 turns before it, and its request to the mock held exactly those.
    turns.forEach((turn, index) => {
      expect(turn.shownMessageIds).toEqual(messages.slice(0, index).map((m) => m.id));
      const prompt = requests[index] ? promptText(requests[index]) : '';
      messages.forEach((message, at) => {
        expect({ round: turn.round, at, held: prompt.includes(message.content) }).toEqual({
          round: turn.round,
          at,
          held: at < index,
        });
      });
    });
    // Buy's latest turn (round 4) saw both of Build's positions; the latest one counts.
    expect(contexts.buy?.previousResponses).toEqual({
      build: messages[2]?.content,
      buy: messages[1]?.content,
    });

    // `session show` of the finished council prints the same contexts.
    const shown = await runCli(
      ['session', 'show', document.id, '--worker', '--json'],
      clusterEnv('turn-debate-show', mockProviderEnv(mock)),
    );
    expectSuccess(shown);
    const show = parseJsonDocument(JSON.parse(shown.stdout));
    expect(show).toMatchObject({ type: 'council-show', conversationContext: contexts });

    // Its text prints every turn, the two that are no expert's latest position too, under their headings.
    const text = await runCli(
      ['show', document.id, '--worker'],
      clusterEnv('turn-debate-text', mockProviderEnv(mock)),
    );
    expectSuccess(text);
    for (const message of messages) expect(text.stdout).toContain(message.content);
    expect(text.stdout).toContain('── round 2 · Buy Advocate (buy) [critique] to everyone ──');
    expect(text.stdout.match(/── round \d/g)).toHaveLength(2);
  });

  it("`show` of an adversarial debate prints each expert's latest position once, after its earlier turns", async () => {
    const env = clusterEnv('adversarial-show', mockProviderEnv(mock));
    const run = await runCli(
      ['run', '--config', 'examples/council-adversarial.yaml', '--worker', '--json'],
      env,
    );
    expectSuccess(run);
    const document = parseJsonDocument(JSON.parse(run.stdout));
    if (document.type !== 'council-result') throw new Error(`printed a ${document.type}`);
    const shown = await runCli(['show', document.id, '--worker'], env);
    expectSuccess(shown);
    // A debate round ends with critiques: the output's round is a critique's, its text a position's.
    const positions = document.responses.filter((row) => row.role === 'expert').map((row) => row.content);
    expect(positions).toHaveLength(2);
    for (const position of positions) expect(shown.stdout.split(position).length - 1).toBe(1);
    expect(shown.stdout).toMatch(/Earlier turns \(\d+\)/);
    expect(shown.stdout).toContain('[critique] to everyone');
  });
});
