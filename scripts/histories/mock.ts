import { LLMock, type ChatCompletionRequest } from '@copilotkit/aimock';
import { simulatedAnswer } from '../../client/simulation/simulatedAnswers';

/** The task of the routing council, whose Critic answers with an urgent message to a group. */
export const ROUTING_TASK = 'Should we adopt a four-day work week? Route by role and group.';

/** The task of the quorum council and session, by which the mock knows to hold Builder's answer. */
export const QUORUM_TASK = 'Should we adopt a four-day work week? Answer within the deadline.';
/** The task of the hedged council, by which the mock knows to hold Builder's own call. */
export const HEDGE_TASK = 'Should we adopt a four-day work week? Builder straggles, its backup answers.';
/** The model Builder's own call is held on; its hedge's backup is on another, which answers at once. */
export const HEDGED_MODEL = 'gpt-4o-mini';
/** The task of the hedged council whose quorum closes the round before Builder's hedge timer fires. */
export const HEDGE_QUORUM_TASK = 'Should we adopt a four-day work week? The quorum closes before the hedge.';
/** The task of the cancelled council, by which the mock knows to hold its experts' answers. */
export const CANCELLED_TASK = 'Should we adopt a four-day work week? This council is cancelled.';

/** The task of the council whose Critic and Builder (and Builder's backup) are held until a person skips them. */
export const SKIP_TASK = 'Should we adopt a four-day work week? Critic and Builder are skipped.';

/** The task of the council whose experts' calls are all refused: it ends with no conclusion. */
export const NO_CONCLUSION_TASK = 'Should we adopt a four-day work week? Every expert is refused.';

/** The recording's LLM server, and how many requests of the cancelled council it holds now. */
export interface RecordingMock {
  mock: LLMock;
  held(): number;
}

/** Starts the mock LLM that answers every recorded run, each answer fixed by the request. */
export async function startRecordingMock(): Promise<RecordingMock> {
  let held = 0;
  const mock = new LLMock({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  // The selector names Supervisor: a pick when Supervisor is a candidate, a fallback when it just spoke.
  mock.on(
    { predicate: (request) => JSON.stringify(request.messages).includes('You choose who speaks next') },
    { content: 'Supervisor', usage: { prompt_tokens: 5, completion_tokens: 1 } },
  );
  mock.on(
    { predicate: (request) => JSON.stringify(request.messages).includes(NO_CONCLUSION_TASK) },
    { error: { message: 'this request is malformed', type: 'invalid_request_error' }, status: 400 },
  );
  mock.on({ predicate: () => true }, async (request) => {
    // In the quorum council Builder straggles: the round closes without it and its answer is late.
    const quorum = [QUORUM_TASK, HEDGE_QUORUM_TASK].some((task) =>
      JSON.stringify(request.messages).includes(task),
    );
    if (quorum && speaksAs(request, 'Builder')) await new Promise((resolve) => setTimeout(resolve, 3_000));
    // In the hedged council Builder's own call straggles past afterMs and is cancelled once its backup answers.
    const hedged = JSON.stringify(request.messages).includes(HEDGE_TASK) && speaksAs(request, 'Builder');
    if (hedged && request.model === HEDGED_MODEL) await new Promise((resolve) => setTimeout(resolve, 10_000));
    // The skipped council's Critic and Builder (both of Builder's calls) are held until they are skipped.
    const skipped = JSON.stringify(request.messages).includes(SKIP_TASK);
    if (skipped && (speaksAs(request, 'Critic') || speaksAs(request, 'Builder')))
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    // The cancelled council's experts are held until it is cancelled.
    if (JSON.stringify(request.messages).includes(CANCELLED_TASK)) {
      held += 1;
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
    return { content: recordedAnswer(request), usage: { prompt_tokens: 7, completion_tokens: 3 } };
  });
  await mock.start();
  return { mock, held: () => held };
}

/**
 * What the mock answers: a fixed text; for a supervisor's assignment a task for Worker-1 alone (the
 * others fall back to the message: both paths are recorded); for a peer reviewer a ranking (the
 * simulated one), except Builder's first: unreadable, so the recording holds a retry too.
 */
function recordedAnswer(request: ChatCompletionRequest): string {
  if (JSON.stringify(request.messages).includes(ROUTING_TASK) && speaksAs(request, 'Critic'))
    return JSON.stringify({
      content: 'For the builders: costs rise.',
      recipient: 'builders',
      priority: 'urgent',
    });
  if (JSON.stringify(request.messages).includes('assign one task to each worker'))
    return 'Worker-1: List three facts about the question.';
  const stance = recordedStance(request);
  if (stance !== undefined) return `A recorded answer.\nSTANCE: {"position": "${stance}", "confidence": 0.9}`;
  const system = request.messages.find((m) => m.role === 'system')?.content;
  if (typeof system !== 'string' || !system.includes('taking part as a reviewer'))
    return 'A recorded answer.';
  const retry = request.messages.some((m) => m.role === 'assistant');
  return speaksAs(request, 'Builder') && !retry ? 'No ranking today.' : simulatedAnswer(request);
}

/**
 * The stance of a debate's position turn (its prompt asks for one): in round 1 Critic disagrees
 * (agreement 2 of 3, under the 0.67 threshold), in round 3 (debate round 2) everyone agrees.
 */
function recordedStance(request: ChatCompletionRequest): string | undefined {
  const prompt = JSON.stringify(request.messages);
  if (!prompt.includes('End your answer with one line: STANCE')) return undefined;
  return prompt.includes('## Your turn (round 1)') && speaksAs(request, 'Critic')
    ? 'keep five days'
    : 'adopt it';
}

function speaksAs(request: ChatCompletionRequest, name: string): boolean {
  const system = request.messages.find((m) => m.role === 'system')?.content;
  return typeof system === 'string' && system.startsWith(`You are ${name},`);
}
