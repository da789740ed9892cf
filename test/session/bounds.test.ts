import { capAnswer } from '../../activities/llm';
import { humanMessageSchema } from '../../common/councilApi';
import { LIMITS } from '../../common/defaults';
import {
  sendMessageSchema,
  sessionConfigSchema,
  type ParticipantRecord,
  type SessionState,
  type TranscriptEntry,
} from '../../common/session';
import { cutWithNotice, fairShares, jsonBytes, prefixWithinJsonBytes, utf8Bytes } from '../../common/size';
import { zodProblem } from '../../common/validation';
import { boundHistory, boundRoundResult, fitCarriedState } from '../../workflows/session/bounds';
import { turnText } from '../../workflows/session/prompt';
import { appendTranscript, recordAnswer, recordObserved } from '../../workflows/session/roundRecords';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };

function record(name: string, contents: string[]): ParticipantRecord {
  return {
    spec: { name, role: 'panelist', priority: 0, model },
    joinedAt: 1,
    history: contents.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', content })),
    usage,
  };
}

const response = (name: string, content: string) => ({
  participantName: name,
  participantRole: 'panelist' as const,
  content,
  tokenUsage: usage,
  status: 'ok' as const,
  truncated: false,
  round: 1,
  shown: [],
});

describe('sizes as Temporal counts them', () => {
  it('counts UTF-8 and JSON bytes as Buffer does, whatever the characters', () => {
    for (const text of ['plain', 'é€𝄞', '\u0001\n"\\', 'x'.repeat(1000)]) {
      expect(utf8Bytes(text)).toBe(Buffer.byteLength(text));
      expect(jsonBytes(text)).toBe(Buffer.byteLength(JSON.stringify(text)));
    }
  });

  it('cuts at a JSON byte budget without splitting a character, and says so', () => {
    const text = '€'.repeat(100) + '𝄞'.repeat(100);
    const prefix = prefixWithinJsonBytes(text, 301);
    expect(prefix).toBe('€'.repeat(100));
    const cut = cutWithNotice(text, 400, (kept, all) => ` [cut ${kept}/${all}]`);
    expect(cut.cut).toBe(true);
    expect(jsonBytes(cut.text) - 2).toBeLessThanOrEqual(400);
    expect(cut.text).toMatch(/\[cut 400\/700\]$/);
  });

  it('shares a budget fairly: small items keep their size, big ones split the rest', () => {
    expect(fairShares([10, 1000, 1000], 510)).toEqual([10, 250, 250]);
    expect(fairShares([10, 20], 100)).toEqual([10, 20]);
  });
});

describe('bounds on what a user configures', () => {
  it('refuses a maxTokens past the largest context window, saying what to pick', () => {
    const parsed = sessionConfigSchema.safeParse({ strategy: 'broadcast', maxTokens: 1e9 });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(zodProblem(parsed.error)).toMatch(/maxTokens.*at most 2000000/);
  });

  it('refuses a message over its byte bound, even when its characters are few', () => {
    const content = '€'.repeat(LIMITS.maxMessageBytes / 3 + 10);
    expect(content.length).toBeLessThan(LIMITS.maxMessageChars);
    const parsed = sendMessageSchema.safeParse({ content });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(zodProblem(parsed.error)).toMatch(/longer than 262144 bytes as JSON/);
    // Few bytes, but each doubles when escaped: the bound says it counts JSON's bytes.
    const quotes = sendMessageSchema.safeParse({ content: '"'.repeat(150_000) });
    expect(quotes.success ? 'valid' : zodProblem(quotes.error)).toMatch(
      /longer than 262144 bytes as JSON \(a letter outside ASCII counts 2 to 4, quotes, backslashes and control characters twice or more\)/,
    );
  });

  // A message that opens with indented code keeps its indentation: only blank lines before it and
  // whitespace after it go, and a blank message is refused.
  it("keeps a message's indentation, dropping only the blank lines around it", () => {
    const code = '    def f():\n        return 1';
    expect(sendMessageSchema.parse({ content: `\n \n${code}\n\n` }).content).toBe(code);
    expect(humanMessageSchema.parse({ content: `${code} \n` }).content).toBe(code);
    expect(sendMessageSchema.safeParse({ content: ' \n\t' }).success).toBe(false);
    expect(humanMessageSchema.safeParse({ content: '\n ' }).success).toBe(false);
  });
});

describe('bounds on what a session carries and sends', () => {
  it('cuts an answer over the cap in the activity, with a notice, marked truncated', () => {
    const content = '€'.repeat(1_000_000);
    const capped = capAnswer({
      content,
      tokenUsage: usage,
      stopReason: 'stop',
      truncated: false,
      model: 'm',
    });
    expect(Buffer.byteLength(capped.content)).toBeLessThanOrEqual(LIMITS.maxAnswerBytes);
    expect(capped.truncated).toBe(true);
    expect(capped.content).toMatch(/\[council: answer cut at 262144 bytes of 3000000/);
    expect(capped.content).not.toContain('\uFFFD');
  });

  it('keeps a turn within its bound by shortening each shown answer to a fair share', () => {
    const shown = ['A', 'B', 'C'].map((name) => response(name, `${name}: ${'x'.repeat(300_000)}`));
    const turn = turnText('Question?', [response('Short', 'brief'), ...shown]);
    expect(jsonBytes(turn)).toBeLessThanOrEqual(LIMITS.maxTurnBytes);
    expect(turn).toContain('### "Short" (panelist)\n```text\nbrief\n```');
    expect(turn.match(/\[council: shortened to \d+ of 300003 bytes to fit this prompt\]/g)).toHaveLength(3);
  });

  it('drops the oldest history messages past the byte bound, counted, keeping the newest', () => {
    const big = 'y'.repeat(200_000);
    const participant = record('P', [`old ${big}`, big, big, `new ${big}`]);
    boundHistory(participant);
    expect(jsonBytes(participant.history)).toBeLessThanOrEqual(LIMITS.maxHistoryBytes);
    expect(participant.historyDropped).toBe(1);
    expect(participant.history.at(-1)?.content.startsWith('new ')).toBe(true);
  });

  // The model call's trimming to its token budget drops messages of the prompt; the record drops
  // the same ones, and counts them as it counts the byte bound's.
  it("counts the messages a call trimmed to its token budget, and an observer's oldest past its cap", () => {
    const participant = record('P', ['q1', 'a1', 'q2', 'a2']);
    const state = { usage } as SessionState;
    recordAnswer(state, participant, 'q3', response('P', 'a3'), 2);
    expect(participant.history.map((message) => message.content)).toEqual(['q2', 'a2', 'q3', 'a3']);
    expect(participant.historyDropped).toBe(2);

    const observer = record('O', []);
    for (let turn = 0; turn < 405; turn += 1) recordObserved(observer, `turn ${turn}`);
    expect(observer.history).toHaveLength(400);
    expect(observer.historyDropped).toBe(5);
  });

  it('shortens answers in a round result over its bound, marked, with a notice', () => {
    const result = boundRoundResult({
      round: 1,
      strategy: 'broadcast',
      responses: ['A', 'B', 'C', 'D', 'E'].map((n) => response(n, `${n}: ${'z'.repeat(250_000)}`)),
    });
    expect(jsonBytes(result)).toBeLessThanOrEqual(LIMITS.maxRoundResultBytes);
    for (const r of result.responses) {
      expect(r.shortened).toBe(true);
      expect(r.content).toMatch(/\[council: shortened to \d+ of 250003 bytes in this round result/);
    }
  });

  it("keeps the latest round's entries in the transcript, however large, and drops older ones, counted", () => {
    const state: SessionState = {
      schemaVersion: 1,
      config: { systemPrompt: '', maxTokens: 8192, strategy: 'broadcast' },
      participants: [],
      joinCounter: 0,
      round: 2,
      transcript: [],
      usage,
      closed: false,
      runs: 1,
    };
    const entry = (round: number, from: string, content: string): TranscriptEntry => ({
      round,
      from,
      role: from === 'user' ? 'user' : 'panelist',
      content,
      status: 'ok',
    });
    for (const from of ['user', 'A', 'B']) appendTranscript(state, entry(1, from, 'short'));
    // Three answers of 200,000 characters: the round alone is past the transcript's cap.
    appendTranscript(state, entry(2, 'user', 'Write at length.'));
    for (const from of ['A', 'B', 'C']) appendTranscript(state, entry(2, from, from.repeat(200_000)));
    expect(state.transcript.map((e) => [e.round, e.from])).toEqual([
      [2, 'user'],
      [2, 'A'],
      [2, 'B'],
      [2, 'C'],
    ]);
    expect(state.transcriptDropped).toBe(3);
    // Once the next round begins, the previous one's entries go, oldest first, back within the cap.
    appendTranscript(state, entry(3, 'user', 'And now?'));
    expect(state.transcript.map((e) => [e.round, e.from])).toEqual([
      [2, 'B'],
      [2, 'C'],
      [3, 'user'],
    ]);
    expect(state.transcriptDropped).toBe(5);
  });

  it('trims the carried state to its bound before continue-as-new, oldest first, counted', () => {
    const big = 'w'.repeat(300_000);
    const state: SessionState = {
      schemaVersion: 1,
      config: { systemPrompt: '', maxTokens: 8192, strategy: 'broadcast' },
      participants: [record('O1', [big, big, big]), record('O2', [big, big])],
      joinCounter: 2,
      round: 3,
      transcript: [1, 2, 3].map((round) => ({
        round,
        from: 'P',
        role: 'panelist',
        content: big,
        status: 'ok',
      })),
      usage,
      closed: false,
      runs: 1,
    };
    fitCarriedState(state, () => jsonBytes(state));
    expect(jsonBytes(state)).toBeLessThanOrEqual(LIMITS.maxCarriedStateBytes);
    const dropped =
      (state.transcriptDropped ?? 0) + state.participants.reduce((n, p) => n + (p.historyDropped ?? 0), 0);
    expect(dropped).toBe(
      8 - state.transcript.length - state.participants.reduce((n, p) => n + p.history.length, 0),
    );
    expect(state.transcript.at(-1)?.round).toBe(3);
  });

  // The largest bucket went first, and a round of large answers made the transcript the largest:
  // five of six answers of the round just played left the record, while the histories (which hold
  // copies of them) were carried.
  it("keeps the latest round's transcript whole, trimming the histories first", () => {
    const answer = (name: string) => `${name}: ${'a'.repeat(200_000)}`;
    const names = ['P0', 'P1', 'P2', 'P3', 'P4', 'P5'];
    const state: SessionState = {
      schemaVersion: 1,
      config: { systemPrompt: '', maxTokens: 8192, strategy: 'roundRobin' },
      participants: names.map((name, i) =>
        record(name, [
          'earlier question',
          'earlier answer',
          'Q?',
          names
            .slice(0, i + 1)
            .map(answer)
            .join('\n'),
        ]),
      ),
      joinCounter: 6,
      round: 2,
      transcript: [
        { round: 1, from: 'user', role: 'user' as const, content: 'earlier question', status: 'ok' as const },
        { round: 2, from: 'user', role: 'user' as const, content: 'Q?', status: 'ok' as const },
        ...names.map((name) => ({
          round: 2,
          from: name,
          role: 'panelist' as const,
          content: answer(name),
          status: 'ok' as const,
        })),
        // A late answer of the round before, recorded after this round began.
        { round: 1, from: 'Late', role: 'panelist' as const, content: 'late answer', status: 'ok' as const },
      ],
      usage,
      closed: false,
      runs: 1,
    };
    fitCarriedState(state, () => jsonBytes(state));
    expect(jsonBytes(state)).toBeLessThanOrEqual(LIMITS.maxCarriedStateBytes);
    expect(state.transcript.map((entry) => [entry.round, entry.from])).toEqual([
      [2, 'user'],
      ...names.map((name) => [2, name]),
      [1, 'Late'],
    ]);
    expect(state.transcriptDropped).toBe(1);
    expect(state.participants.every((p) => (p.historyDropped ?? 0) > 0)).toBe(true);
  });
});
