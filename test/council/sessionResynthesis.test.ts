import type { CouncilWorkflowResult } from '../../common/council';
import { MultiParticipantSession } from '../../client/api/session';
import { sessionAsCouncil, startSessionResynthesis } from '../../client/api/sessionResynthesis';
import type { SessionView, TranscriptEntry } from '../../common/session';
import { answerAsParticipants, chatRequests, speakerOf } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';
import { council, expert, model } from './support';
import { startCouncil } from '../../client/api/council';

describe("re-synthesizing a session's round without asking its participants again", () => {
  const bench = useMockHarness('session-resynthesis', (mock) => answerAsParticipants(mock));

  it('a council synthesizes the last round: one call, the synthesizer; the answers are the recorded ones', async () => {
    const { harness, mock } = bench;
    const sessionId = `resynth-session-${Date.now()}`;
    const session = await MultiParticipantSession.create(
      harness.client,
      { systemPrompt: 'Be brief.', strategy: 'broadcast' },
      { taskQueue: harness.taskQueue, sessionId },
    );
    await session.addParticipant('Agent One', model, 'panelist');
    await session.addParticipant('Agent-2', model, 'panelist');
    await session.sendMessage('user', 'Which plan first?');
    const last = await session.sendMessage('user', 'And which second?');
    await session.close();
    const answers = new Map(last.map((response) => [response.participantName, response.content]));
    mock.clearRequests();

    const councilId = await startSessionResynthesis(harness.client, sessionId, {
      taskQueue: harness.taskQueue,
      synthesizer: { name: 'Chair' },
    });
    const result = (await harness.client.workflow.getHandle(councilId).result()) as CouncilWorkflowResult;

    expect(chatRequests(mock).map(speakerOf)).toEqual(['Chair']);
    expect(result.resynthesizedFrom).toBe(sessionId);
    expect(result.task).toBe('And which second?');
    expect(result.synthesis.status).toBe('done');
    const outputs = Object.values(result.outputs).map(
      (output) => [output.expertName, output.content] as const,
    );
    expect(new Map(outputs)).toEqual(answers);
    expect(Object.keys(result.outputs).sort()).toEqual(['Agent-2', 'Agent-One']);
    // Two answers cannot be ranked by peers; the advice is not to add an expert, which cannot apply.
    const ranked = startSessionResynthesis(harness.client, sessionId, {
      taskQueue: harness.taskQueue,
      peerReview: {},
    });
    await expect(ranked).rejects.toThrow(
      `peer review of "${sessionId}" needs three answers or more (each reviewer ranks two others'), and it has 2`,
    );
    await expect(ranked).rejects.toMatchObject({ hint: 're-synthesize it without peer review' });
  });

  it('a session with no answers yet is refused, saying so', async () => {
    const { harness } = bench;
    const sessionId = `resynth-empty-${Date.now()}`;
    const session = await MultiParticipantSession.create(
      harness.client,
      { systemPrompt: 'Be brief.', strategy: 'broadcast' },
      { taskQueue: harness.taskQueue, sessionId },
    );
    await expect(
      startSessionResynthesis(harness.client, sessionId, { taskQueue: harness.taskQueue }),
    ).rejects.toThrow(`session "${sessionId}" has no answers to re-synthesize`);
    await session.close();
    // An id that names no session, or names a council, is said so (it was the SDK's own error).
    const unknown = startSessionResynthesis(harness.client, `${sessionId}-none`, {});
    await expect(unknown).rejects.toMatchObject({ name: 'RunNotFoundError', kind: 'session' });
    const councilId = await startCouncil(harness.client, council('parallel', [expert('a')]), {
      taskQueue: harness.taskQueue,
    });
    await expect(startSessionResynthesis(harness.client, councilId, {})).rejects.toThrow(
      `"${councilId}" is a council, not a session`,
    );
  });

  it('a round still being answered is refused: its answers are not all in', () => {
    const view = { participants: [], activeRound: { round: 2, states: {} } } as unknown as SessionView;
    expect(() => sessionAsCouncil('s-1', view, [], {}, '2026-12-03T00:00:00Z')).toThrow(
      'session "s-1" is answering round 2',
    );
    // The hint names the session, so it can be pasted as it is.
    expect(() => sessionAsCouncil('s-1', view, [], {}, '2026-12-03T00:00:00Z')).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('`council attach s-1`') }),
    );
  });

  // A round whose calls all failed or were skipped (a budget's stop) gave the council schema's own
  // errors (no expert, no synthesizer model), which no field of the user's could fix.
  it('a last round with no answer is refused, saying so; a closed session is not told to send more', () => {
    const view = {
      participants: [{ spec: { name: 'A', role: 'panelist', model } }],
    } as unknown as SessionView;
    const call = (status: 'failed' | 'skipped'): TranscriptEntry => ({
      round: 2,
      from: 'A',
      role: 'panelist',
      content: 'budget stop',
      status,
    });
    for (const status of ['failed', 'skipped'] as const) {
      expect(() => sessionAsCouncil('s-3', view, [call(status)], {}, '2026-12-03T00:00:00Z')).toThrow(
        'round 2 of session "s-3" has no answer to re-synthesize: each of its calls failed or was skipped',
      );
      // It had its message: what it needs is a round that answers, and why this one did not.
      expect(() => sessionAsCouncil('s-3', view, [call(status)], {}, '2026-12-03T00:00:00Z')).toThrow(
        expect.objectContaining({
          hint: 'see why with `council show s-3`; once a round of it answers (`council send s-3 "..."`), re-synthesize that',
        }),
      );
    }
    expect(() => sessionAsCouncil('s-3', view, [], {}, '2026-12-03T00:00:00Z')).toThrow(
      expect.objectContaining({ hint: 'send it a message first: `council send s-3 "..."`' }),
    );
    const closed = { ...view, closed: true } as SessionView;
    expect(() => sessionAsCouncil('s-3', closed, [], {}, '2026-12-03T00:00:00Z')).toThrow(
      expect.objectContaining({ hint: 'it is closed: a new session can answer the question again' }),
    );
  });

  it('a participant who answered more than once in the round is one expert, with its latest answer', () => {
    const spec = (name: string, role: string) => ({ spec: { name, role, model } });
    const view = {
      participants: [spec('Lead', 'supervisor'), spec('Data', 'worker'), spec('Ops', 'worker')],
    } as unknown as SessionView;
    const entry = (from: string, content: string, kind?: 'assignment' | 'synthesis'): TranscriptEntry => ({
      round: 1,
      from,
      role: from === 'Lead' ? 'supervisor' : 'worker',
      content,
      status: 'ok',
      ...(kind && { kind }),
    });
    // A hierarchical round: the supervisor assigns, the workers answer, the supervisor synthesizes.
    const transcript: TranscriptEntry[] = [
      { round: 1, from: 'user', role: 'user', content: 'Plan the launch.', status: 'ok' },
      entry('Lead', 'Data: on metrics\nOps: on rollout', 'assignment'),
      entry('Data', 'Track activation.'),
      entry('Ops', 'Roll out in waves.'),
      entry('Lead', 'Track activation, roll out in waves.', 'synthesis'),
    ];
    const { context, source } = sessionAsCouncil('s-2', view, transcript, {}, '2026-12-03T00:00:00Z');
    expect(context.activeExperts.map((expert) => [expert.id, expert.name])).toEqual([
      ['Lead', 'Lead'],
      ['Data', 'Data'],
      ['Ops', 'Ops'],
    ]);
    expect(source.outputs.Lead?.content).toBe('Track activation, roll out in waves.');
    expect(source.messages.map((message) => message.senderName)).toEqual(['Lead', 'Data', 'Ops']);
  });
});
