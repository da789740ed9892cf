import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LLMock } from '@copilotkit/aimock';
import { savedConversationSchema } from '../../common/savedConversation';
import { answerAsParticipants, chatRequests, promptText, startMockLlm } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  stopStartedClis,
  writeConfig,
} from './cli';

// Each case spawns the CLI with a worker: minutes on a busy 2-core machine.
jest.setTimeout(400_000);
afterAll(stopStartedClis);

const model = { provider: 'openai', model: 'gpt-4o-mini' };

/** A one-round debate with messaging on: positions (responses), then critiques. */
function debate(task: string) {
  return {
    kind: 'council',
    mode: 'adversarial',
    task,
    debateRounds: 1,
    enableMessaging: true,
    activeExperts: [
      { id: 'build', name: 'Builder', model },
      { id: 'buy', name: 'Buyer', model },
    ],
    synthesisConfig: { name: 'Judge', model },
  };
}

interface MessageJson {
  id: string;
  sender: string;
  type: string;
  content: string;
  round: number;
  carried?: true;
  relevance?: number;
  recipient?: string;
}
interface ShowJson {
  messages: MessageJson[];
  rounds: number;
  stats?: {
    messages: number;
    byType: Record<string, number>;
    byParticipant: Record<string, { messages: number; tokens: { totalTokens: number } }>;
    interactions: Array<{ from: string; to: string; type: string; count: number }>;
    rounds: Array<{ round: number; calls: number; tokens: { totalTokens: number }; durationMs?: number }>;
  };
}

describe('a council’s conversation: filter, stats, save, go on from it', () => {
  let mock: LLMock;
  let env: Record<string, string>;
  let sourceId: string;
  let all: MessageJson[];
  let usage: { totalTokens: number };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-conversation-'));
  const show = async (...args: string[]) => {
    const result = await runCli(['show', sourceId, '--worker', ...args], env);
    expectSuccess(result);
    return result;
  };

  beforeAll(async () => {
    mock = await startMockLlm();
    answerAsParticipants(mock);
    env = clusterEnv('conversation', mockProviderEnv(mock));
    sourceId = `cli-conversation-${process.pid}`;
    const config = writeConfig('debate.yaml', debate('Build or buy the search engine?'));
    const run = await runCli(['run', '-c', config, '--id', sourceId, '--worker', '--json'], env);
    expectSuccess(run);
    const result = JSON.parse(run.stdout) as {
      messages: MessageJson[];
      responses: unknown[];
      usage: { totalTokens: number };
    };
    usage = result.usage;
    const shown = JSON.parse((await show('--stats', '--json')).stdout) as ShowJson;
    all = shown.messages;
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('filters by type, sender, recipient and round, and says which values exist when one does not', async () => {
    // Positions in round 1, critiques in round 2: every expert has one of each.
    expect(all.map((m) => [m.sender, m.type, m.round])).toEqual([
      ['build', 'response', 1],
      ['buy', 'response', 1],
      ['build', 'critique', 2],
      ['buy', 'critique', 2],
    ]);
    const critiques = JSON.parse((await show('--type', 'critique', '--json')).stdout) as ShowJson;
    expect(critiques.messages.map((m) => m.id)).toEqual(
      all.filter((m) => m.type === 'critique').map((m) => m.id),
    );
    const toBuy = JSON.parse((await show('--to', 'buy', '--from', 'build', '--json')).stdout) as ShowJson;
    expect(toBuy.messages.map((m) => m.id)).toEqual(all.filter((m) => m.sender === 'build').map((m) => m.id));
    const text = await show('--type', 'response', '--from', 'buy');
    expect(text.stdout).toContain(`Council ${sourceId}: 1 of 4 message(s)`);
    expect(text.stdout).toContain(all.find((m) => m.sender === 'buy' && m.type === 'response')?.content);
    // "Buyer answers": all of Buyer's messages ("Buyer: answer N"), half of Builder's terms.
    const about = await show('--relevant-to', 'Buyer answers', '--min-relevance', '1', '--json');
    const relevant = (JSON.parse(about.stdout) as ShowJson).messages.map((m) => [m.sender, m.relevance]);
    expect(relevant).toEqual(all.filter((m) => m.sender === 'buy').map(() => ['buy', 1]));
    expect((await show('--relevant-to', 'Buyer answers')).stdout).toContain('to everyone · relevance 0.5 ──');

    const badType = await runCli(['show', sourceId, '--worker', '--type', 'rant'], env);
    expect(badType.code).toBe(1);
    expect(badType.stderr).toContain(
      '--type: "rant" is no message type (types: response, question, critique, clarification, agreement)',
    );
    const badSender = await runCli(['show', sourceId, '--worker', '--from', 'nobody', '--round', '7'], env);
    expect(badSender.code).toBe(1);
    expect(badSender.stderr).toContain(
      'from "nobody" is no sender of this council (senders: build, buy, human)',
    );
    expect(badSender.stderr).toContain('round 7 did not happen (this council ran 2 round(s))');
    const badWords = await runCli(['show', sourceId, '--worker', '--relevant-to', 'of the'], env);
    expect(badWords.code).toBe(1);
    expect(badWords.stderr).toContain(
      '--relevant-to: "of the" has no word to match (only short or common words)',
    );
    const badShare = await runCli(
      ['show', sourceId, '--worker', '--relevant-to', 'costs', '--min-relevance', '2'],
      env,
    );
    expect(badShare.code).toBe(1);
    expect(badShare.stderr).toMatch(/invalid message filter: --min-relevance: /);
    expect(`${badType.stderr}${badWords.stderr}${badShare.stderr}`).not.toMatch(
      /types\[0\]|relevantTo|minRelevance/,
    );
    // The flags a person typed, not the library's field names.
    const shareAlone = await runCli(['show', sourceId, '--worker', '--min-relevance', '0.5'], env);
    expect(shareAlone.code).toBe(1);
    expect(shareAlone.stderr).toContain('--min-relevance needs --relevant-to: the words to match');
    // A council's budget is set in its config: a raise says that, not that councils have none.
    const raise = await runCli(['budget', 'raise', sourceId, '--by-usd', '1', '--worker'], env);
    expect(raise.code).toBe(1);
    expect(raise.stderr).toContain('is a council: its budget is set in its config and cannot be raised');
  });

  it('--stats counts messages per expert and type, who critiques whom, and tokens per round', async () => {
    const { stats } = JSON.parse((await show('--stats', '--json')).stdout) as ShowJson;
    expect(stats?.messages).toBe(all.length);
    for (const id of ['build', 'buy']) {
      expect(stats?.byParticipant[id]?.messages).toBe(all.filter((m) => m.sender === id).length);
    }
    expect(stats?.byType.critique).toBe(all.filter((m) => m.type === 'critique').length);
    // Broadcast critiques that reply to no message are addressed to everyone.
    expect(stats?.interactions).toEqual([
      { from: 'build', to: '*', type: 'critique', count: 1 },
      { from: 'buy', to: '*', type: 'critique', count: 1 },
    ]);
    // Two calls a round; the synthesis belongs to no round: the rounds hold the run's tokens less the judge's 15.
    expect(stats?.rounds.map((r) => [r.round, r.calls])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const roundTokens = (stats?.rounds ?? []).reduce((sum, r) => sum + r.tokens.totalTokens, 0);
    expect(roundTokens).toBe(usage.totalTokens - 15);
    for (const r of stats?.rounds ?? []) expect(r.durationMs).toBeGreaterThanOrEqual(0);
    const text = await show('--stats');
    expect(text.stdout).toContain('── Who answers whom ──');
    expect(text.stdout).toMatch(/Builder \(build\)\s*│\s*2\s*│\s*1\s*│\s*0\s*│\s*1/);
  });

  it('saves the conversation, and a new council goes on from it, its experts shown the saved messages', async () => {
    const file = path.join(dir, 'debate.json');
    const saved = await show('--save', file);
    expect(saved.stdout).toContain(`Saved 4 message(s) of ${sourceId} to ${file}`);
    const parsed = savedConversationSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(parsed.messages.map((m) => m.id)).toEqual(all.map((m) => m.id));

    const before = chatRequests(mock).length;
    const config = writeConfig('again.yaml', debate('And for the recommendations engine?'));
    const next = await runCli(['run', '-c', config, '--from', file, '--worker', '--json'], env);
    expectSuccess(next);
    const result = JSON.parse(next.stdout) as { id: string; continuedFrom?: string };
    expect(result.continuedFrom).toBe(sourceId);
    // The new council's very first call, before any of its experts spoke, shows every saved message.
    const first = chatRequests(mock)[before];
    expect(first && promptText(first)).toContain('And for the recommendations engine?');
    for (const message of all) expect(first && promptText(first)).toContain(message.content);
    // The carried messages keep their rounds (1 and 2), marked carried; the new debate's are rounds 3 and 4.
    const carried = await runCli(['show', result.id, '--worker', '--round', '1,2', '--json'], env);
    expectSuccess(carried);
    const kept = (JSON.parse(carried.stdout) as ShowJson).messages;
    expect(kept.map((m) => [m.id, m.round, m.carried])).toEqual(all.map((m) => [m.id, m.round, true]));
    const own = await runCli(['show', result.id, '--worker', '--round', '3,4', '--json'], env);
    expectSuccess(own);
    const ownMessages = (JSON.parse(own.stdout) as ShowJson).messages;
    expect(ownMessages.map((m) => m.round)).toEqual([3, 3, 4, 4]);
    expect(ownMessages.every((m) => m.carried === undefined)).toBe(true);
    const text = await runCli(['show', result.id, '--worker', '--round', '1'], env);
    expect(text.stdout).toContain('── round 1 (carried over) · Builder (build)');
  });

  it('--from-run goes on from a council by id; a file that is no saved conversation is refused', async () => {
    const before = chatRequests(mock).length;
    const config = writeConfig('third.yaml', debate('And for billing?'));
    const next = await runCli(['run', '-c', config, '--from-run', sourceId, '--worker', '--json'], env);
    expectSuccess(next);
    expect((JSON.parse(next.stdout) as { continuedFrom?: string }).continuedFrom).toBe(sourceId);
    const first = chatRequests(mock)[before];
    for (const message of all) expect(first && promptText(first)).toContain(message.content);

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, kind: 'council-conversation', messages: [] }));
    const refused = await runCli(['run', '-c', config, '--from', bad, '--worker'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`"${bad}" is no saved conversation: councilId:`);
    // Node's "ENOENT: no such file or directory, open …" said less, and no fix.
    const missing = await runCli(
      ['run', '-c', config, '--from', path.join(dir, 'none.json'), '--worker'],
      env,
    );
    expect(missing.stderr).toBe(
      `council: cannot read "${path.join(dir, 'none.json')}": no such file (name a file \`council show ID --save FILE\` wrote)\n`,
    );
    // Two messages under one id: the council kept one of them and said nothing.
    const saved = JSON.parse(readFileSync(path.join(dir, 'debate.json'), 'utf8')) as {
      messages: Array<{ id: string }>;
    };
    const [firstId] = saved.messages.map((m) => m.id);
    const twin = path.join(dir, 'twin.json');
    writeFileSync(
      twin,
      JSON.stringify({
        ...saved,
        messages: saved.messages.map((m, i) => (i === 2 ? { ...m, id: firstId } : m)),
      }),
    );
    const twinRun = await runCli(['run', '-c', config, '--from', twin, '--worker'], env);
    expect(twinRun.code).toBe(1);
    expect(twinRun.stderr).toContain(
      `"${twin}" is no saved conversation: messages[2].id: "${firstId}" is message 0's id too: each message needs its own`,
    );
    // A filter that keeps nothing saves a file no council can go on from: the save says so.
    const none = await show('--type', 'clarification', '--save', path.join(dir, 'none-kept.json'));
    expect(none.stdout).toContain('Saved 0 message(s)');
    expect(none.stdout).toContain('no council can go on from it (`run --from` needs a message)');
    expect(chatRequests(mock).length).toBe(before + 5);
  });

  it('--from-run names a session or no run: one line, and no council announced or started', async () => {
    const config = writeConfig('fourth.yaml', debate('And for search?'));
    const session = await runCli(
      ['run', 'Q?', '-c', writeConfig('panel.yaml', panelConfig()), '--worker', '--json'],
      env,
    );
    expectSuccess(session);
    const sessionId = (JSON.parse(session.stdout) as { id: string }).id;
    const cases: Array<[string, RegExp]> = [
      [sessionId, new RegExp(`^council: "${sessionId}" is a session, not a council \\(`)],
      ['no-such-council', /^council: no council with id "no-such-council" \(/],
    ];
    for (const [source, pattern] of cases) {
      const id = `cli-from-run-${source.length}-${process.pid}`;
      const refused = await runCli(['run', '-c', config, '--from-run', source, '--id', id, '--worker'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(pattern);
      expect(refused.stdout).not.toContain('Started');
      const shown = await runCli(['show', id, '--worker'], env);
      expect(shown.stderr).toContain(`no session or council with id "${id}"`);
    }
  });
});
