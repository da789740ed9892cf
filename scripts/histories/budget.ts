import { executeCouncilExperts } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import type { Budget } from '../../common/budget';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';
import { cheapModel, dearModel } from '../../test/helpers/pricedModels';

/** A broadcast of panelists on `dearModel` (a 1000-token call's worst case: $1), one attempt a call, the first `maxOutputTokens` each. */
function budgetedBroadcast(budget: Budget, maxOutputTokens: number[]) {
  return {
    strategy: 'broadcast' as const,
    budget,
    participants: maxOutputTokens.map((max, i) => ({
      name: String.fromCharCode(65 + i),
      role: 'panelist' as const,
      model: dearModel,
      maxOutputTokens: max,
      retry: { maximumAttempts: 1 },
    })),
  };
}

/**
 * A broadcast under `onExhausted: downgrade`: a call's worst case is $1 on its own model and $0.1
 * on the cheaper one, so A is sent as asked, B is downgraded and C is refused.
 */
export async function recordBudget(recording: Recording) {
  const sessionId = `replay-budget${idSuffix(recording)}`;
  const budget = { maxCostUsd: 1.15, onExhausted: 'downgrade', downgradeTo: cheapModel } as const;
  const session = await MultiParticipantSession.create(
    recording.client,
    budgetedBroadcast(budget, [1000, 1000, 1000]),
    { sessionId, taskQueue: TASK_QUEUE },
  );
  await session.sendMessage('user', 'First question');
  await session.close();
  await saveHistory(recording, sessionId, 'session-budget');
}

/**
 * A broadcast under `onExhausted: ask`: A ($0.1) is sent, B ($1) waits beyond the $0.5 until a
 * raise lets it go on; a second round fits, then a person stops the budget and the session closes.
 */
export async function recordBudgetAsk(recording: Recording) {
  const sessionId = `replay-budget-ask${idSuffix(recording)}`;
  const session = await MultiParticipantSession.create(
    recording.client,
    budgetedBroadcast({ maxCostUsd: 0.5, onExhausted: 'ask', askTimeoutMs: 600_000 }, [100, 1000]),
    { sessionId, taskQueue: TASK_QUEUE },
  );
  const round = session.sendMessage('user', 'First question');
  const deadline = Date.now() + 30_000;
  while ((await session.view()).budget?.waiting === undefined) {
    if (Date.now() > deadline) throw new Error('the budget never asked: B should wait beyond $0.5');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await session.raiseBudget({ byUsd: 1 });
  await round;
  await session.sendMessage('user', 'Second question');
  await session.stopBudget();
  await session.close();
  await saveHistory(recording, sessionId, 'session-budget-ask');
}

/**
 * A parallel council under `onExhausted: downgrade`: Analyst and Critic hold $2 of the $2.15 at
 * once, Builder's $1 does not fit and goes to the cheaper model ($0.1), and so does the synthesis.
 */
export async function recordCouncilBudget(recording: Recording) {
  const councilId = `replay-council-budget${idSuffix(recording)}`;
  const bounded = { model: dearModel, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } };
  const experts = ['Analyst', 'Critic', 'Builder'].map((name) => ({
    id: name.toLowerCase(),
    name,
    ...bounded,
  }));
  await executeCouncilExperts(
    recording.client,
    {
      task: 'Should we adopt a four-day work week?',
      mode: 'parallel',
      activeExperts: experts,
      synthesisConfig: bounded,
      budget: { maxCostUsd: 2.15, onExhausted: 'downgrade', downgradeTo: cheapModel },
    },
    undefined,
    undefined,
    { councilId, taskQueue: TASK_QUEUE },
  );
  await saveHistory(recording, councilId, 'council-budget');
}

/**
 * An adversarial council of two under `onExhausted: stop` over two debate rounds: each call holds $1
 * and spends $0.003, so the fourth (Critic's critique, round 2 of 4) does not fit $1.007 and ends the
 * debate; the synthesis is refused too.
 */
export async function recordCouncilBudgetDebate(recording: Recording) {
  const councilId = `replay-council-budget-debate${idSuffix(recording)}`;
  const bounded = { model: dearModel, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } };
  const experts = ['Analyst', 'Critic'].map((name) => ({ id: name.toLowerCase(), name, ...bounded }));
  await executeCouncilExperts(
    recording.client,
    {
      task: 'Should we adopt a four-day work week?',
      mode: 'adversarial',
      debateRounds: 2,
      activeExperts: experts,
      synthesisConfig: bounded,
      budget: { maxCostUsd: 1.007, onExhausted: 'stop' },
    },
    undefined,
    undefined,
    { councilId, taskQueue: TASK_QUEUE },
  );
  await saveHistory(recording, councilId, 'council-budget-debate');
}
