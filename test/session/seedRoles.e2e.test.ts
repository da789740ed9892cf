import type { JournalEntry, LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { MultiParticipantSession } from '../../client/api/session';
import type { OrchestrationStrategy, ParticipantRole } from '../../common/participants';
import { answerAsParticipants, chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { isModelCallScheduled } from '../durability/support/temporal';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const TASKS = 'Data-Worker: Gather the 2025 capacity figures.\nResearch-Worker: Survey the subsidy changes.';

/** The last message of a journalled request: the turn the participant was asked to answer. */
function turnOf(entry: JournalEntry | undefined): string {
  const messages = (entry?.body as { messages?: Array<{ content: unknown }> } | null)?.messages ?? [];
  const content = messages.at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content ?? '');
}

/**
 * The seed's roles as it words them (000_dcbd69baf73d61b7.txt): "Moderator: guides the conversation
 * and synthesizes responses", "Worker: performs specific tasks assigned by supervisors". The mock
 * LLM's journal is the witness of who was asked what.
 */
describe("the seed's moderator and worker roles, on the dev server", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on(
      { predicate: (request) => JSON.stringify(request.messages).includes('assign one task to each worker') },
      { content: TASKS, usage: { prompt_tokens: 10, completion_tokens: 5 } },
    );
    answerAsParticipants(mock);
    harness = await startHarness('seed-roles', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  async function session(strategy: OrchestrationStrategy, members: Array<[string, ParticipantRole]>) {
    const created = await MultiParticipantSession.create(
      harness.client,
      { systemPrompt: 'Seed roles.', strategy },
      { taskQueue: harness.taskQueue },
    );
    for (const [name, role] of members) await created.addParticipant(name, model, role);
    return created;
  }

  async function callIds(sessionId: string): Promise<string[]> {
    const { events } = await harness.client.workflow.getHandle(sessionId).fetchHistory();
    return (events ?? [])
      .filter(isModelCallScheduled)
      .map((event) => event.activityTaskScheduledEventAttributes?.activityId ?? '');
  }

  it('moderatorLed: the moderator synthesizes the panel responses at the end of the round', async () => {
    const panel = await session('moderatorLed', [
      ['Moderator', 'moderator'],
      ['Expert-1', 'panelist'],
      ['Expert-2', 'panelist'],
    ]);
    const responses = await panel.sendMessage('user', 'Discuss the ethics of AI in healthcare.');
    const seen = chatRequests(mock);
    expect(seen.map(speakerOf)).toHaveLength(4);
    expect(speakerOf(seen[3]!)).toBe('Moderator');
    const synthesisTurn = turnOf(seen[3]);
    expect(synthesisTurn).toContain('Discuss the ethics of AI in healthcare.');
    expect(synthesisTurn).toContain('synthesize');
    for (const expert of responses.filter((r) => r.participantRole === 'panelist')) {
      expect(synthesisTurn).toContain(expert.content);
    }
    const synthesis = responses.at(-1);
    expect([synthesis?.participantName, synthesis?.kind, synthesis?.shown]).toEqual([
      'Moderator',
      'synthesis',
      ['Expert-1', 'Expert-2'],
    ]);
    expect(responses.filter((r) => r.kind === 'synthesis')).toHaveLength(1);
    expect(await callIds(panel.sessionId)).toContain('r1.synthesis.Moderator');
    const transcript = await panel.transcript();
    expect(transcript.at(-1)).toMatchObject({
      from: 'Moderator',
      kind: 'synthesis',
      content: synthesis?.content,
    });
  });

  it('hierarchical: the supervisor assigns each worker its task; a worker with none gets the message', async () => {
    const team = await session('hierarchical', [
      ['Lead-Supervisor', 'supervisor'],
      ['Data-Worker', 'worker'],
      ['Research-Worker', 'worker'],
      ['Spare-Worker', 'worker'],
    ]);
    const question = 'Analyze market trends in renewable energy.';
    const responses = await team.sendMessage('user', question);
    const seen = chatRequests(mock);
    expect(seen.map(speakerOf)[0]).toBe('Lead-Supervisor');
    expect(turnOf(seen[0])).toContain('"Data-Worker", "Research-Worker", "Spare-Worker"');
    const turns = new Map(seen.slice(1, 4).map((entry) => [speakerOf(entry), turnOf(entry)]));
    expect(turns.get('Data-Worker')).toMatch(/assigned by the supervisor "Lead-Supervisor"/);
    expect(turns.get('Data-Worker')).toContain('Gather the 2025 capacity figures.');
    expect(turns.get('Data-Worker')).not.toContain(question);
    expect(turns.get('Research-Worker')).toContain('Survey the subsidy changes.');
    expect(turns.get('Spare-Worker')).toBe(question);
    // The review as before: the supervisor last, shown every worker's output.
    expect(speakerOf(seen[4]!)).toBe('Lead-Supervisor');
    for (const work of responses.filter((r) => r.participantRole === 'worker')) {
      expect(turnOf(seen[4])).toContain(work.content);
    }
    expect(responses.map((r) => [r.participantName, r.kind])).toEqual([
      ['Lead-Supervisor', 'assignment'],
      ['Data-Worker', undefined],
      ['Research-Worker', undefined],
      ['Spare-Worker', undefined],
      ['Lead-Supervisor', undefined],
    ]);
    expect((await callIds(team.sessionId))[0]).toBe('r1.assign.Lead-Supervisor');
    const notes = (await team.transcript()).filter((entry) => entry.from === 'hierarchical');
    expect(notes.map((note) => note.content)).toEqual([
      `"Spare-Worker" answer the round's message: "Lead-Supervisor"'s assignment has no line "Name: task" for them`,
    ]);
  });
});
