import type { OrchestrationStrategy, ParticipantRole } from '../../common/participants';
import { MultiParticipantSession } from '../../client/api/session';
import { answerAsParticipants, chatRequests, promptText, speakerOf } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { isModelCallScheduled } from '../durability/support/temporal';

const LATENCY_MS = 400;
const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

describe('every strategy on the real dev server, LLM served by aimock', () => {
  const bench = useMockHarness('strategies', (mock) => {
    answerAsParticipants(mock, LATENCY_MS);
  });

  async function session(
    strategy: OrchestrationStrategy,
    members: Array<[string, ParticipantRole, number?]>,
  ) {
    const created = await MultiParticipantSession.create(
      bench.harness.client,
      { systemPrompt: 'You are an expert panelist.', strategy },
      { taskQueue: bench.harness.taskQueue },
    );
    for (const [name, role, priority] of members) {
      await created.addParticipantWithPriority(name, model, role, priority ?? 0);
    }
    return created;
  }

  /** Who was called, in the order the requests reached the LLM server, and what each was shown. */
  function calls() {
    return chatRequests(bench.mock).map((entry) => ({
      speaker: speakerOf(entry),
      prompt: promptText(entry),
      at: entry.timestamp,
    }));
  }

  /** How many calls each workflow task scheduled, in order: one entry per task that scheduled any. */
  async function callBatches(sessionId: string): Promise<number[]> {
    const { events } = await bench.harness.client.workflow.getHandle(sessionId).fetchHistory();
    const byTask = new Map<string, number>();
    for (const event of (events ?? []).filter(isModelCallScheduled)) {
      const task = event.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId;
      if (task) byTask.set(String(task), (byTask.get(String(task)) ?? 0) + 1);
    }
    return [...byTask.values()];
  }

  it('broadcast: all answer in parallel (all calls scheduled at once), roundRobin one after another', async () => {
    const panel = await session('broadcast', [
      ['A', 'panelist'],
      ['B', 'panelist'],
      ['C', 'panelist'],
      ['D', 'panelist'],
    ]);
    const sequential = await session('roundRobin', [
      ['A', 'panelist'],
      ['B', 'panelist'],
      ['C', 'panelist'],
      ['D', 'panelist'],
    ]);
    const responses = await panel.sendMessage('user', 'What is the most important AI development?');
    await sequential.sendMessage('user', 'What is the most important AI development?');

    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['A', 'ok'],
      ['B', 'ok'],
      ['C', 'ok'],
      ['D', 'ok'],
    ]);
    // Parallel, read from the histories rather than a wall clock a busy machine bends: a broadcast
    // schedules its four calls in one workflow task, before any answer; roundRobin one per answer.
    expect(await callBatches(panel.sessionId)).toEqual([4]);
    expect(await callBatches(sequential.sessionId)).toEqual([1, 1, 1, 1]);
    const broadcastPrompts = calls().slice(0, 4);
    for (const call of broadcastPrompts) expect(call.prompt).not.toContain('Responses so far in this round');
  });

  it('roundRobin: in order of joining, each shown the answers before it', async () => {
    const panel = await session('roundRobin', [
      ['Analyst-1', 'panelist'],
      ['Analyst-2', 'panelist'],
      ['Analyst-3', 'panelist'],
    ]);
    const responses = await panel.sendMessage('user', 'Analyze the impact of AI on education.');
    const seen = calls();
    expect(seen.map((call) => call.speaker)).toEqual(['Analyst-1', 'Analyst-2', 'Analyst-3']);
    expect(seen[1]?.prompt).toContain(responses[0]?.content);
    expect(seen[2]?.prompt).toContain(responses[0]?.content);
    expect(seen[2]?.prompt).toContain(responses[1]?.content);
    expect(responses.map((r) => r.shown)).toEqual([[], ['Analyst-1'], ['Analyst-1', 'Analyst-2']]);
  });

  it('moderatorLed: the moderator frames first, the experts then answer in parallel seeing it', async () => {
    const panel = await session('moderatorLed', [
      ['Expert-1', 'panelist'],
      ['Moderator', 'moderator'],
      ['Expert-2', 'panelist'],
    ]);
    const responses = await panel.sendMessage('user', 'Discuss the ethics of AI in healthcare.');
    // Then the moderator's synthesis (test/session/seedRoles.e2e.test.ts).
    const seen = calls().slice(0, 3);
    expect(seen[0]?.speaker).toBe('Moderator');
    expect(
      seen
        .slice(1)
        .map((call) => call.speaker)
        .sort(),
    ).toEqual(['Expert-1', 'Expert-2']);
    const framing = responses.find((r) => r.participantName === 'Moderator')?.content ?? 'missing';
    for (const call of seen.slice(1)) expect(call.prompt).toContain(framing);
    // The experts' calls overlapped: the second began before the first could have finished.
    expect(Math.abs((seen[2]?.at ?? 0) - (seen[1]?.at ?? 0))).toBeLessThan(LATENCY_MS);
  });

  it('hierarchical: workers in parallel, then the supervisor shown every worker output', async () => {
    const panel = await session('hierarchical', [
      ['Lead-Supervisor', 'supervisor'],
      ['Data-Worker', 'worker'],
      ['Research-Worker', 'worker'],
    ]);
    const responses = await panel.sendMessage('user', 'Analyze market trends in renewable energy.');
    // After the supervisor's assignment (test/session/seedRoles.e2e.test.ts).
    const seen = calls().slice(1);
    expect(seen.map((call) => call.speaker)).toEqual(
      expect.arrayContaining(['Data-Worker', 'Research-Worker']),
    );
    expect(seen[2]?.speaker).toBe('Lead-Supervisor');
    for (const worker of responses.filter((r) => r.participantRole === 'worker')) {
      expect(seen[2]?.prompt).toContain(worker.content);
    }
  });

  it('custom: priority order, highest first', async () => {
    const panel = await session('custom', [
      ['Junior', 'panelist', 1],
      ['Senior', 'panelist', 5],
      ['Principal', 'panelist', 10],
    ]);
    const responses = await panel.sendMessage('user', "What's the best architecture for this system?");
    expect(calls().map((call) => call.speaker)).toEqual(['Principal', 'Senior', 'Junior']);
    expect(responses.map((r) => r.participantName)).toEqual(['Principal', 'Senior', 'Junior']);
  });

  it('observers receive every message but are never called; evaluators answer last seeing all', async () => {
    const panel = await session('broadcast', [
      ['GPT', 'panelist'],
      ['Claude', 'panelist'],
      ['Watcher', 'observer'],
      ['Judge', 'evaluator'],
    ]);
    const responses = await panel.sendMessage('user', 'Provide your best answer to the question.');
    const seen = calls();
    expect(seen.map((call) => call.speaker)).not.toContain('Watcher');
    expect(seen.at(-1)?.speaker).toBe('Judge');
    const watcher = await panel.getParticipant('Watcher');
    for (const answer of responses.filter((r) => r.participantRole === 'panelist')) {
      expect(seen.at(-1)?.prompt).toContain(answer.content);
      expect(watcher?.history.at(-1)?.content).toContain(answer.content);
    }
    // A message to an observer is refused (alone, it would be a round no one answers); no round is used.
    const round = (await panel.view()).round;
    await expect(
      panel.sendMessage('user', 'Watcher, what did you see?', { participants: ['Watcher'] }),
    ).rejects.toThrow(/"Watcher" is an observer: observers are never called/);
    expect((await panel.view()).round).toBe(round);
  });
});
