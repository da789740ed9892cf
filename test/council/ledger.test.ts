import {
  COUNCIL_LIMITS,
  councilContextSchema,
  debateRoundsOf,
  type ExpertOutput,
} from '../../common/council';
import { readAsTaken } from '../../common/laterChecks';
import { jsonBytes } from '../../common/size';
import { zodProblem } from '../../common/validation';
import { CouncilLedger } from '../../workflows/council/ledger';
import { createExpertMessage } from '../../workflows/council/messages';
import { synthesisPrompt } from '../../workflows/council/synthesis';
import { council, expert } from './support';

function ledgerFor(enableMessaging: boolean) {
  let n = 0;
  const statuses: string[] = [];
  const context = councilContextSchema.parse({
    ...council('sequential', [expert('a'), expert('b')]),
    enableMessaging,
  });
  const clock = {
    stamp: () => ({ id: `m${++n}`, timestamp: '2026-02-02T00:00:00.000Z' }),
    now: () => '2026-02-02T00:00:00.000Z',
  };
  return { ledger: new CouncilLedger(context, clock, (status) => statuses.push(status)), statuses };
}

describe('council context validation', () => {
  const problem = (input: unknown) => {
    const parsed = councilContextSchema.safeParse(input);
    return parsed.success ? 'valid' : zodProblem(parsed.error);
  };

  it('names the path and the fix of each problem', () => {
    expect(problem(council('parallel', [expert('a'), expert('a')]))).toContain(
      'activeExperts[1].id: expert id "a" is used twice',
    );
    expect(problem(council('adversarial', [expert('a')]))).toContain(
      'activeExperts: adversarial mode needs at least two',
    );
    expect(problem(council('parallel', [expert('human')]))).toContain(
      'activeExperts[0].id: id "human" is reserved',
    );
    expect(problem({ ...council('parallel', [expert('a')]), debateRounds: 99 })).toMatch(/^debateRounds: /);
    expect(problem({ ...council('parallel', [expert('a')]), apiKey: 'sk-x' })).toContain('apiKey');
  });

  // Only a debate has rounds: a parallel council given debateRounds ran one round, saying nothing.
  it('refuses debateRounds outside adversarial mode, except in input a run already took', () => {
    const parallel = { ...council('parallel', [expert('a')]), debateRounds: 3 };
    expect(problem(parallel)).toBe(
      'debateRounds: debateRounds applies to adversarial mode only (this council is "parallel"): remove it',
    );
    // Runs started before the check carry the default the schema filled in for every mode.
    expect(readAsTaken(() => problem({ ...parallel, debateRounds: 2 }))).toBe('valid');
    const debate = councilContextSchema.parse(council('adversarial', [expert('a'), expert('b')]));
    expect(debateRoundsOf(debate)).toBe(COUNCIL_LIMITS.defaultDebateRounds);
    expect(debateRoundsOf({ ...debate, debateRounds: 5 })).toBe(5);
  });
});

describe('ledger', () => {
  it('cuts an oversized message and keeps the transcript within its budget, oldest dropped first', () => {
    const { ledger } = ledgerFor(true);
    const big = 'x'.repeat(COUNCIL_LIMITS.maxStoredMessageChars + 500);
    const first = ledger.addMessage(createExpertMessage(ledger.stamp(), 'a', 'Expert A', big));
    expect(first.content.length).toBeLessThan(big.length);
    expect(first.content).toMatch(/\[cut at 16000 characters\]$/);
    const count = Math.ceil(COUNCIL_LIMITS.transcriptByteBudget / COUNCIL_LIMITS.maxStoredMessageChars) + 5;
    for (let i = 0; i < count; i += 1) {
      ledger.addMessage(createExpertMessage(ledger.stamp(), 'b', 'Expert B', big));
    }
    const total = ledger.messages.reduce((sum, m) => sum + jsonBytes(m), 0);
    expect(total).toBeLessThanOrEqual(COUNCIL_LIMITS.transcriptByteBudget);
    expect(ledger.droppedMessages).toBeGreaterThan(0);
    expect(ledger.messages.some((m) => m.id === first.id)).toBe(false);
    expect(ledger.messages.length + ledger.droppedMessages).toBe(count + 1);
  });

  it('pages the progress log with the messages its events name, and routes each message', () => {
    const { ledger, statuses } = ledgerFor(true);
    ledger.setStatus('running', 'round 1');
    ledger.setStatus('running', 'round 2');
    ledger.addMessage(createExpertMessage(ledger.stamp(), 'a', 'Expert A', 'private', 'question', 'b'));
    ledger.addMessage(createExpertMessage(ledger.stamp(), 'b', 'Expert B', 'public'));
    expect(statuses).toEqual([]); // 'running' is the initial status: no change to publish
    ledger.setStatus('completed', 'done');
    expect(statuses).toEqual(['completed']);
    const page = ledger.progress({ fromEvent: 2, maxEvents: 2 });
    expect(page.events.map((e) => e.kind)).toEqual(['message', 'message']);
    expect(page.events.map((e) => (e.kind === 'message' ? e.deliveredTo : []))).toEqual([['b'], ['a']]);
    expect(page.messages.map((m) => m.content)).toEqual(['private', 'public']);
    expect([page.nextEvent, page.totalEvents, page.done]).toEqual([4, 5, true]);
  });

  it('logs no message events and returns no messaging fields when messaging is off', () => {
    const { ledger } = ledgerFor(false);
    ledger.addMessage(createExpertMessage(ledger.stamp(), 'a', 'Expert A', 'hello'));
    expect(ledger.events).toHaveLength(0);
    const result = ledger.result({
      synthesizerName: 'Synthesizer',
      status: 'done',
      content: 'x',
      tokenUsage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    });
    expect('messages' in result).toBe(false);
    expect('contextRefs' in result).toBe(false);
    expect(result.tokenUsage.total.totalTokens).toBe(2);
  });
});

describe('synthesis prompt', () => {
  const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  /** An expert's output after round 1, answered unless `fields` say otherwise. */
  const output = (id: string, fields: Partial<ExpertOutput> = {}): ExpertOutput => ({
    expertId: id,
    expertName: `Expert ${id.toUpperCase()}`,
    status: 'done',
    content: '',
    round: 1,
    tokenUsage: usage,
    ...fields,
  });

  it('carries outputs, critiques, agreements, people and failures', () => {
    const stamp = { id: 's', timestamp: 't' };
    const outputs = [
      output('a', { content: 'Adopt it.' }),
      output('b', { status: 'failed', error: { type: 'ProviderServerError', message: 'boom' } }),
    ];
    const messages = [
      createExpertMessage(stamp, 'a', 'Expert A', 'Costs are unclear.', 'critique'),
      createExpertMessage(stamp, 'c', 'Expert C', 'Morale improves.', 'agreement'),
      createExpertMessage(stamp, 'human', 'Alice', 'Pilot first.', 'clarification'),
    ];
    const [system, user] = synthesisPrompt(
      { name: 'Synthesizer', model: expert('x').model },
      { task: 'T', outputs, messages },
    );
    expect(system?.content).toContain('You are Synthesizer, taking part as synthesizer');
    const text = user?.content ?? '';
    const fence = (text: string) => `\n\`\`\`text\n${text}\n\`\`\``;
    expect(text).toContain(`## Expert Outputs\n\n### "Expert A"${fence('Adopt it.')}`);
    expect(text).toContain(`## Critical Analysis\n#### "Expert A"${fence('Costs are unclear.')}`);
    expect(text).toContain(`## Consensus Points\n#### "Expert C"${fence('Morale improves.')}`);
    expect(text).toContain(`## Input from People\n#### "Alice"${fence('Pilot first.')}`);
    expect(text).toContain('- "Expert B" (b) failed: ProviderServerError: "boom"');
  });

  it('says an expert the budget left uncalled was not called, not that a person skipped it', () => {
    const outputs = [
      output('a', { content: 'Adopt it.' }),
      output('c', {
        status: 'skipped',
        round: 0,
        error: {
          type: 'BudgetExhausted',
          message: "Expert C was not called: the council's budget was exhausted",
        },
      }),
    ];
    const [, user] = synthesisPrompt(
      { name: 'Synthesizer', model: expert('x').model },
      { task: 'T', outputs, messages: [] },
    );
    expect(user?.content).toContain(
      '- "Expert C" (c) was not called: the budget was exhausted before its turn',
    );
    expect(user?.content).not.toContain('skipped by a person');
  });
});
