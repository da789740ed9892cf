import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts, startCouncil, startCouncilWorkflow } from '../../client/api/council';
import { COUNCIL_SCHEMA_VERSION, councilContextSchema } from '../../common/council';
import { readAsTaken } from '../../common/laterChecks';
import { RESYNTHESIS_MEMO_KEY, resynthesizeCouncil } from '../../client/api/resynthesize';
import { ZERO_USAGE } from '../../common/llm';
import { chatRequests, mockClients, promptText, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, model, scriptedCouncil, userPrompt } from './support';

const IDS = ['a', 'b', 'c'];
/** A word only expert `id`'s answer holds. */
const token = (id: string) => `answer-of-${id}-${'qv'.repeat(4)}`;
const isReview = (text: string) => text.includes('taking part as a reviewer');

describe('re-synthesis of a finished council on the real dev server (the mock journal is the witness)', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let sourceId: string;

  beforeAll(async () => {
    mock = await startMockLlm();
    scriptedCouncil(mock, (speaker, request) => {
      const usage = { prompt_tokens: 10, completion_tokens: 5 };
      const text = request.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join();
      if (isReview(text)) {
        // Ranks the responses in the order shown: a valid ranking of whatever it was given.
        const labels = [...text.matchAll(/^### "(Response [A-Z])"$/gm)].map((m) => m[1]);
        return { content: JSON.stringify({ ranking: labels, rationale: 'as shown' }), usage };
      }
      const id = IDS.find((x) => speaker === `Expert ${x.toUpperCase()}`);
      return id ? { content: `I hold ${token(id)}.`, usage } : undefined;
    });
    harness = await startHarness('council-resynthesis', createLlmActivities(mockClients(mock)));
    sourceId = `resynth-source-${Date.now()}`;
    await executeCouncilExperts(
      harness.client,
      council(
        'adversarial',
        IDS.map((id) => expert(id)),
      ),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue, councilId: sourceId },
    );
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  /** The speakers of the requests the mock received after `from` of them. */
  const speakersSince = (from: number) =>
    chatRequests(mock)
      .slice(from)
      .map((entry) => speakerOf(entry));

  // No task queue given: it went to the default queue, which no worker of a simulated Council.local
  // (or of this test) serves, and waited there for ever. It takes the source's queue now.
  it("calls only the new synthesizer on the source's queue, shows it the recorded answers and links the source", async () => {
    const before = chatRequests(mock).length;
    const councilId = `resynth-${Date.now()}`;
    const result = await resynthesizeCouncil(harness.client, sourceId, {
      councilId,
      synthesizer: { name: 'Chairman', model: { ...model, model: 'gpt-4o' } },
    });

    expect(speakersSince(before)).toEqual(['Chairman']);
    const [call] = chatRequests(mock).slice(before);
    expect(call && (call.body as { model?: string }).model).toBe('gpt-4o');
    const prompt = call ? userPrompt(call) : '';
    for (const id of IDS) expect(prompt).toContain(token(id));
    // The adversarial critiques are part of the recorded transcript, messaging off or not.
    expect(prompt).toMatch(/## Critical Analysis\n(?!\(none recorded\))/);

    expect(result.resynthesizedFrom).toBe(sourceId);
    expect(result.synthesis).toMatchObject({ status: 'done', synthesizerName: 'Chairman' });
    expect(Object.values(result.outputs).map((o) => [o.expertId, o.content, o.tokenUsage])).toEqual(
      IDS.map((id) => [id, `I hold ${token(id)}.`, ZERO_USAGE]),
    );
    expect(result.tokenUsage.total).toEqual(result.tokenUsage.synthesis);
    const description = await harness.client.workflow.getHandle(councilId).describe();
    expect(description.memo?.[RESYNTHESIS_MEMO_KEY]).toBe(sourceId);
    expect(description.taskQueue).toBe(harness.taskQueue);
  });

  it('re-ranks with a new rubric: reviewers and the synthesizer are called, no expert answers again', async () => {
    const before = chatRequests(mock).length;
    const result = await resynthesizeCouncil(harness.client, sourceId, {
      taskQueue: harness.taskQueue,
      peerReview: { rubric: 'Prefer the shortest.' },
    });

    const calls = chatRequests(mock).slice(before);
    const reviews = calls.filter((entry) => isReview(promptText(entry)));
    expect(reviews.map((entry) => speakerOf(entry)).sort()).toEqual(['Expert A', 'Expert B', 'Expert C']);
    for (const entry of reviews) expect(promptText(entry)).toContain('Rubric: Prefer the shortest.');
    expect(calls.filter((entry) => !isReview(promptText(entry))).map((e) => speakerOf(e))).toEqual([
      'Synthesizer',
    ]);
    expect(result.resynthesizedFrom).toBe(sourceId);
    expect(result.aggregateRanking?.map((entry) => entry.expertId).sort()).toEqual(IDS);
    expect(Object.values(result.rankings ?? {}).map((r) => r.status)).toEqual(['ranked', 'ranked', 'ranked']);
  });

  it('refuses a source that is missing, not a council, or not finished, saying which', async () => {
    const options = { taskQueue: harness.taskQueue };
    await expect(resynthesizeCouncil(harness.client, 'no-such-council', options)).rejects.toThrow(
      'no council with id "no-such-council"',
    );
    const twin = { ...options, synthesizer: { name: 'expert b' } };
    await expect(resynthesizeCouncil(harness.client, sourceId, twin)).rejects.toThrow(
      `invalid re-synthesis of "${sourceId}": synthesisConfig.name: "expert b" also names expert "b"`,
    );

    const sessionId = `resynth-not-council-${Date.now()}`;
    await harness.client.workflow.start('sessionWorkflow', {
      workflowId: sessionId,
      taskQueue: harness.taskQueue,
      args: [{}],
    });
    await expect(resynthesizeCouncil(harness.client, sessionId, options)).rejects.toThrow(
      `"${sessionId}" is a sessionWorkflow, not a council`,
    );

    const runningId = await startCouncil(
      harness.client,
      council('sequential', [expert('a')], { awaitHumanBetweenRounds: { timeoutMs: 3_600_000 } }),
      { taskQueue: harness.taskQueue, councilId: `resynth-running-${Date.now()}` },
    );
    const before = chatRequests(mock).length;
    await expect(resynthesizeCouncil(harness.client, runningId, options)).rejects.toThrow(
      `council "${runningId}" is running: only a completed council's answers can be re-synthesized`,
    );
    await harness.client.workflow.getHandle(runningId).terminate('test over');
    // Refused before anything started: the refusals called no model beyond the running council's own.
    expect(speakersSince(before).every((speaker) => speaker === 'Expert A')).toBe(true);
  });

  // Before debateRounds was a debate's own, the schema filled its default into every council's input.
  it('re-synthesizes a parallel council whose input, as runs then took it, has debateRounds', async () => {
    const oldId = `resynth-old-parallel-${Date.now()}`;
    const context = readAsTaken(() =>
      councilContextSchema.parse({ ...council('parallel', [expert('a'), expert('b')]), debateRounds: 2 }),
    );
    expect(context.debateRounds).toBe(2);
    await startCouncilWorkflow(
      harness.client,
      oldId,
      { taskQueue: harness.taskQueue, args: [{ schemaVersion: COUNCIL_SCHEMA_VERSION, context }] },
      'a fresh id',
    );
    await harness.client.workflow.getHandle(oldId).result();
    const result = await resynthesizeCouncil(harness.client, oldId, { taskQueue: harness.taskQueue });
    expect(result.resynthesizedFrom).toBe(oldId);
    expect(result.synthesis).toMatchObject({ status: 'done' });
  });
});
