import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { StreamedText } from '../../activities/progress';
import { SecretRegistry } from '../../activities/redact';
import { advance, participantOf } from '../../client/api/tokens';
import {
  STREAM_DETAILS_KIND,
  STREAM_LIMITS,
  streamDetailsSchema,
  type StreamDetails,
} from '../../common/stream';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { llmRequest, runCallLlm } from '../providers/support';

const secrets = new SecretRegistry();

describe('the streamed text a call publishes in its heartbeats', () => {
  it('holds back an unfinished word, so a key is never shown half-written, and scrubs it whole', () => {
    const text = new StreamedText(1, secrets);
    const tails: string[] = [];
    for (const delta of ['My key is sk-', 'abc123', 'def456ghi', ' and that', ' is all.']) {
      text.append(delta);
      tails.push(text.details().tail);
    }
    expect(tails[0]).toBe('My key is ');
    expect(tails.some((tail) => /sk-|abc123/.test(tail))).toBe(false);
    expect(tails.at(-1)).toBe('My key is [redacted] and that is all.');
  });

  it('never publishes part of a key inside an endless word, wherever the word is cut', () => {
    const known = new SecretRegistry();
    const key = 'sk-test-FAKE-openai-0123456789';
    known.add(key);
    const unknown = 'sk-proj-UNKNOWNkey0123456789abcdefghij';
    for (const [hidden, word] of [
      [key, (prefix: number) => `${'x'.repeat(prefix)}${key}${'y'.repeat(2000)} end`],
      [unknown, (prefix: number) => `${'x'.repeat(prefix)}-${unknown}${'y'.repeat(2000)} end`],
    ] as const) {
      for (let prefix = 700; prefix <= 1100; prefix += 3) {
        for (const size of [1, 7]) {
          const text = new StreamedText(1, known);
          const answer = word(prefix);
          let published = '';
          for (let at = 0; at < answer.length; at += size) {
            text.append(answer.slice(at, at + size));
            const { offset, tail } = text.details();
            published = published.slice(0, offset) + tail;
          }
          const leaked = [hidden.slice(0, 10), hidden.slice(10, 20), hidden.slice(-10)];
          expect({ prefix, size, leaked: leaked.filter((part) => published.includes(part)) }).toEqual({
            prefix,
            size,
            leaked: [],
          });
        }
      }
    }
  });

  // A known key with a character outside a word's (`.`, `+`, `/`, `=`) was published a word at a
  // time, so no published piece held the whole key: watchers read it in clear, only the answer was
  // scrubbed.
  it('never publishes part of a known key made of more than word characters, however it is chunked', () => {
    const known = new SecretRegistry();
    const keys = [
      'tok.AbCdEf0123456789.ZyXwVu9876543210',
      'Zm9vYmFy+YmF6cXV4/cXV1eA==',
      'id:secret/value.42',
    ];
    for (const key of keys) known.add(key);
    for (const key of keys) {
      const answer = `The key shown is ${key} as requested, and ${key.slice(0, 8)} is only a part.`;
      for (const size of [1, 2, 3, 5, 8]) {
        const text = new StreamedText(1, known);
        let published = '';
        for (let at = 0; at < answer.length; at += size) {
          text.append(answer.slice(at, at + size));
          const { offset, tail } = text.details();
          published = published.slice(0, offset) + tail;
        }
        expect({
          key,
          size,
          leaked: published.includes(key.slice(0, 12)) || published.includes(key.slice(-8)),
        }).toEqual({
          key,
          size,
          leaked: false,
        });
        expect(published).toContain('The key shown is [redacted] as requested, and ');
      }
    }
  });

  it('takes chunks of long runs of key characters without starving the heartbeats', async () => {
    // A server that sends 20,000 letters then a space per chunk: finding the unfinished word with a
    // backtracking pattern took 0.4-0.5 s a chunk here (24 s for these 60), the worker's thread busy
    // past the heartbeat timeout. Not a speed target: the bound is ~1,000 times what a linear scan takes.
    const text = new StreamedText(1, secrets);
    const run = 'k'.repeat(20_000);
    for (let i = 0; i < 60; i += 1) {
      text.append(`${run} `);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { offset, tail } = text.details();
    expect(offset + tail.length).toBe(60 * (run.length + 1));
    expect(tail.endsWith(`${'k'.repeat(100)} `)).toBe(true);
  }, 10_000);

  it('keeps only the latest characters, with the count of those before them, however long the answer', () => {
    const text = new StreamedText(2, secrets);
    let all = '';
    for (let i = 0; i < 5000; i += 1) {
      const delta = `word${i} é𝄞, `;
      all += delta;
      text.append(delta);
      if (i % 97 !== 0) continue;
      const details = text.details();
      expect(details.tail.length).toBeLessThanOrEqual(STREAM_LIMITS.tailChars);
      expect(all.slice(details.offset, details.offset + details.tail.length)).toBe(details.tail);
    }
    const last = text.details();
    expect(last).toMatchObject({ kind: STREAM_DETAILS_KIND, attempt: 2 });
    expect(last.offset + last.tail.length).toBe(all.length);
    expect(last.offset).toBeGreaterThan(0);
    // Never half a surrogate pair at the cut.
    expect(streamDetailsSchema.parse(last).tail.charCodeAt(0)).not.toBeGreaterThanOrEqual(0xdc00);
  });
});

describe('a watcher folding heartbeats into token events', () => {
  const details = (attempt: number, offset: number, tail: string): StreamDetails => ({
    kind: STREAM_DETAILS_KIND,
    attempt,
    offset,
    tail,
  });

  it('hands on what is new, sees a gap when it fell behind, and starts over on a retried attempt', () => {
    const calls = new Map();
    const id = 'r1.answer.Expert-1';
    expect(advance(calls, id, details(1, 0, 'Hello'))).toMatchObject({
      delta: 'Hello',
      gap: false,
      first: true,
    });
    expect(advance(calls, id, details(1, 0, 'Hello'))).toBeUndefined();
    expect(advance(calls, id, details(1, 0, 'Hello world'))).toMatchObject({
      participant: 'Expert-1',
      delta: ' world',
      text: 'Hello world',
      offset: 0,
    });
    // The tail moved past what the watcher saw: it starts from the tail and says so.
    expect(advance(calls, id, details(1, 20, 'later text'))).toMatchObject({
      delta: 'later text',
      text: 'later text',
      offset: 20,
      gap: true,
    });
    expect(advance(calls, id, details(2, 0, ''))).toMatchObject({
      attempt: 2,
      restarted: true,
      delta: '',
      text: '',
    });
    expect(advance(calls, id, details(2, 0, 'Again'))).toMatchObject({ delta: 'Again', restarted: false });
  });

  it('reads the participant from the call id', () => {
    expect(participantOf('r3.critique.Expert-2')).toBe('Expert-2');
    expect(participantOf('r3.answer.GPT-4.1')).toBe('GPT-4.1');
    expect(participantOf('r3.answer.Ana.2', ['Ana'])).toBe('Ana');
    expect(participantOf('7')).toBe('7');
    // A call asked again after lost workers: its participant's, whatever the name holds.
    expect(participantOf('r1.answer.Llama-3#again1')).toBe('Llama-3');
    expect(participantOf('r1.answer.GPT-4.1#again2')).toBe('GPT-4.1');
  });
});

describe('callLlm publishes its text as it streams', () => {
  let mock: LLMock;
  beforeAll(async () => {
    mock = await startMockLlm();
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('heartbeats carry a growing prefix of the answer before the call returns', async () => {
    const answer = Array.from({ length: 40 }, (_, i) => `point${i}`).join(' ') + '.';
    mock.onMessage('slowly', { content: answer }, { chunkSize: 8, latency: 30 });
    const activities = createLlmActivities(mockClients(mock));
    const run = runCallLlm(activities, llmRequest({ provider: 'openai', model: 'gpt-4o-mini' }, 'slowly'));
    const tails: string[] = [];
    let returned = false;
    run.env.on('heartbeat', (value: unknown) => {
      const parsed = streamDetailsSchema.safeParse(value);
      if (parsed.success && !returned) tails.push(parsed.data.tail);
    });
    const response = await run.result;
    returned = true;
    expect(response.content).toBe(answer);
    const partial = [...new Set(tails)].filter((tail) => tail.length > 0 && tail.length < answer.length);
    expect(partial.length).toBeGreaterThanOrEqual(3);
    for (const tail of partial) expect(answer.startsWith(tail)).toBe(true);
  });
});
