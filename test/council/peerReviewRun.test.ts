import type { ChatCompletionRequest, JournalEntry, LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { type ExpertUpdate } from '../../client/api/councilTypes';
import { FailureType } from '../../common/failures';
import { chatRequests, mockClients, promptText, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, requestsOf, scriptedCouncil, userPrompt } from './support';

const IDS = ['a', 'b', 'c', 'd'];
const NAMES = IDS.map((id) => `Expert ${id.toUpperCase()}`);
/** A word only expert `id`'s answer holds: finds its answer in any prompt without naming it. */
const token = (id: string) => `token-${id}-${'xyzw'.repeat(3)}`;

const isReview = (request: ChatCompletionRequest | JournalEntry) =>
  promptText(('body' in request ? request : { body: request }) as JournalEntry).includes(
    'taking part as a reviewer',
  );

/** The review request's first user message: the task and the responses (a retry adds more after it). */
function responsesPrompt(request: ChatCompletionRequest | JournalEntry): string {
  const body = ('body' in request ? request.body : request) as ChatCompletionRequest;
  const first = body.messages.find((m) => m.role === 'user');
  return typeof first?.content === 'string' ? first.content : '';
}

/** The expert ids behind the labels of a review prompt, in shown order, read from the tokens. */
function shownIds(prompt: string): string[] {
  const blocks = prompt.split(/^### "Response [A-Z]+"$/m).slice(1);
  return blocks.map((block) => IDS.find((id) => block.includes(token(id))) ?? '?');
}

describe('council peer review on the real dev server (the mock journal is the witness)', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    scriptedCouncil(mock, (speaker, request) => {
      const id = IDS[NAMES.indexOf(speaker)] ?? '';
      const usage = { prompt_tokens: 10, completion_tokens: 5 };
      if (!isReview(request)) {
        return speaker === 'Synthesizer' ? undefined : { content: `My position: ${token(id)}.`, usage };
      }
      const retry = request.messages.some((m) => m.role === 'assistant');
      // d never answers with a ranking; c does only when asked again.
      if (id === 'd' || (id === 'c' && !retry)) return { content: 'They are all good in their way.', usage };
      // Everyone agrees a > b > c > d; the labels differ per reviewer, so each maps them back.
      const shown = shownIds(responsesPrompt(request));
      const ranking = [...shown]
        .sort((x, y) => IDS.indexOf(x) - IDS.indexOf(y))
        .map((e) => `Response ${String.fromCharCode(65 + shown.indexOf(e))}`);
      return { content: JSON.stringify({ ranking, rationale: 'ordered by merit' }), usage };
    });
    harness = await startHarness('council-peer-review', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('reviewers rank the others anonymously; an unreadable ranking is retried once, then abstained', async () => {
    const councilId = `peer-review-${Date.now()}`;
    const updates: ExpertUpdate[] = [];
    const result = await executeCouncilExperts(
      harness.client,
      council(
        'parallel',
        IDS.map((id) => expert(id)),
        { peerReview: { rubric: 'Prefer merit.' } },
      ),
      (_id, update) => void updates.push(update),
      undefined,
      { taskQueue: harness.taskQueue, councilId },
    );

    const reviews = chatRequests(mock).filter(isReview);
    // a and b once; c twice (its retry ranks); d twice (then abstains).
    expect(IDS.map((id, i) => [id, requestsOf(mock, NAMES[i] ?? '').filter(isReview).length])).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 2],
      ['d', 2],
    ]);
    for (const request of reviews) {
      const text = promptText(request);
      const reviewer = IDS.find((id, i) => text.includes(`You are ${NAMES[i]}, taking part as a reviewer`));
      if (!reviewer) throw new Error(`a review request without its reviewer: ${text.slice(0, 200)}`);
      // Past the identity line no name appears, not even the reviewer's own.
      const rest = text.replace(`You are Expert ${reviewer.toUpperCase()}, taking part`, '');
      for (const name of NAMES) expect(rest).not.toContain(name);
      expect(text).not.toContain(token(reviewer));
      const shown = shownIds(responsesPrompt(request));
      expect([...shown].sort()).toEqual(IDS.filter((id) => id !== reviewer));
      // The prompt shows what the result says was shown, in that order.
      expect(result.rankings?.[reviewer]?.shown.map((s) => s.expertId)).toEqual(shown);
      expect(text).toContain('Rubric: Prefer merit.');
    }
    const retryOfC = reviews.filter((r) => promptText(r).includes('You are Expert C'))[1];
    expect(retryOfC && userPrompt(retryOfC)).toMatch(/^Your answer could not be read as a ranking: /);

    const rankedIds = (id: string) => result.rankings?.[id]?.ranking.map((r) => r.expertId);
    expect(result.rankings?.a).toMatchObject({
      status: 'ranked',
      attempts: 1,
      rationale: 'ordered by merit',
    });
    expect(rankedIds('a')).toEqual(['b', 'c', 'd']);
    // Mapped back to names: a reader of the result sees who each label was.
    expect(result.rankings?.a?.ranking[0]?.expertName).toBe('Expert B');
    expect(result.rankings?.c).toMatchObject({ status: 'ranked', attempts: 2 });
    expect(rankedIds('c')).toEqual(['a', 'b', 'd']);
    expect(result.rankings?.d).toMatchObject({
      status: 'abstained',
      ranking: [],
      attempts: 2,
      problem: 'the answer is not a JSON object',
    });
    expect(result.aggregateRanking?.map((e) => [e.expertId, e.borda, e.meanRank, e.votes])).toEqual([
      ['a', 4, 1, 2],
      ['b', 3, 1.5, 2],
      ['c', 2, 2, 2],
      ['d', 0, 3, 3],
    ]);
    expect(result.positionBias?.rankings).toBe(3);

    const [synthesis] = requestsOf(mock, 'Synthesizer');
    expect(synthesis && userPrompt(synthesis)).toContain('## Peer Review');
    expect(synthesis && userPrompt(synthesis)).toContain('1. "Expert A": 4 Borda points, mean rank 1');
    expect(synthesis && userPrompt(synthesis)).toContain('3 of 4 reviewers gave a ranking');

    const history = await harness.client.workflow.getHandle(councilId).fetchHistory();
    const ids = (history.events ?? []).flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityId ?? [],
    );
    expect(ids.filter((id) => id.includes('.review.')).sort()).toEqual([
      'r1.review.a',
      'r1.review.b',
      'r1.review.c',
      'r1.review.c.retry',
      'r1.review.d',
      'r1.review.d.retry',
    ]);
    // Followers are told: d's review failed as unreadable, after its retry.
    const ofD = updates.filter((u) => u.expertId === 'd' && u.phase === 'review');
    expect(ofD.map((u) => [u.state, u.error?.type])).toEqual([
      ['thinking', undefined],
      ['failed', FailureType.UnreadableRanking],
      ['thinking', undefined],
      ['failed', FailureType.UnreadableRanking],
    ]);
  });
});
