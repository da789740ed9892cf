import type { LLMock } from '@copilotkit/aimock';
import { WorkflowUpdateStage } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { FailureType } from '../../common/failures';
import { CouncilUserError } from '../../common/userError';
import { CouncilStatusKey } from '../../common/searchAttributes';
import type { RoundResult, SessionConfigInput } from '../../common/session';
import { sendMessageUpdate } from '../../common/sessionApi';
import { sessionProgressQuery } from '../../common/sessionProgress';
import { MultiParticipantSession } from '../../client/api/session';
import { chatRequests, mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import { pricedMini } from '../helpers/pricedModels';

/** A call's worst case is maxOutputTokens/1000 dollars. */
const model = pricedMini;

/** Cheap's worst case is $0.1, Dear's $1: under $0.5, Cheap is called and Dear waits for a person. */
function askConfig(askTimeoutMs?: number): SessionConfigInput {
  return {
    strategy: 'broadcast',
    budget: { maxCostUsd: 0.5, onExhausted: 'ask', ...(askTimeoutMs !== undefined && { askTimeoutMs }) },
    participants: [
      { name: 'Cheap', role: 'panelist', model, maxOutputTokens: 100, retry: { maximumAttempts: 1 } },
      { name: 'Dear', role: 'panelist', model, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } },
    ],
  };
}

describe('onExhausted: ask on the real dev server, LLM served by aimock', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  const activities = () => createLlmActivities(mockClients(mock));
  const speakers = () => chatRequests(mock).map((entry) => speakerOf(entry));

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, (request) => {
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      return { content: `${speaker}: answer`, usage: { prompt_tokens: 5, completion_tokens: 3 } };
    });
    harness = await startHarness('budget-ask', activities());
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  /** Waits until the session says a call waits for the budget (its view and its CouncilStatus). */
  async function untilWaiting(session: MultiParticipantSession, client = harness.client) {
    await waitFor('the session to wait for its budget', async () => {
      const waiting = (await session.view()).budget?.waiting;
      const description = await client.workflow.getHandle(session.sessionId).describe();
      // Cheap's call is sent as Dear starts to wait: its request may reach the mock a moment later.
      const cheapCalled = speakers().length > 0;
      return (
        cheapCalled &&
        waiting !== undefined &&
        description.typedSearchAttributes.get(CouncilStatusKey) === 'waiting-budget'
      );
    });
  }

  /** One participant's events in the session's progress log, as `kind state [detail]`. */
  async function stepsOf(session: MultiParticipantSession, name: string): Promise<string[]> {
    const page = await harness.client.workflow.getHandle(session.sessionId).query(sessionProgressQuery, {});
    return page.events.flatMap((event) => {
      if (event.kind === 'budget' && event.participant === name) {
        return [[event.kind, event.state, event.stoppedBy].filter(Boolean).join(' ')];
      }
      if (event.kind === 'call' && event.participant === name) {
        return [[event.kind, event.state, event.error?.type].filter(Boolean).join(' ')];
      }
      return [];
    });
  }

  it('pauses at the budget, and a raise lets the waiting call go on', async () => {
    const session = await MultiParticipantSession.create(harness.client, askConfig(), {
      taskQueue: harness.taskQueue,
    });
    const round = session.sendMessage('user', 'What is 2 + 2?');
    await untilWaiting(session);
    expect((await session.view()).budget?.waiting).toMatchObject({ participant: 'Dear', needed: { usd: 1 } });
    expect(speakers()).toEqual(['Cheap']);
    // Held by the budget, Dear has not begun: its log shows the wait alone.
    expect(await stepsOf(session, 'Dear')).toEqual(['budget waiting']);

    // A raise naming no amount is refused in one sentence, its example given once.
    const none = await session.raiseBudget({}).catch((error: unknown) => error as CouncilUserError);
    expect(none).toBeInstanceOf(CouncilUserError);
    expect((none as CouncilUserError).toOneLine().match(/e\.g\./g)).toHaveLength(1);
    const raised = await session.raiseBudget({ byUsd: 1 });
    expect(raised.limit.maxCostUsd).toBe(1.5);
    const responses = await round;
    expect(responses.map((r) => [r.participantName, r.status])).toEqual([
      ['Cheap', 'ok'],
      ['Dear', 'ok'],
    ]);
    expect(speakers()).toEqual(['Cheap', 'Dear']);
    const view = await session.view();
    expect(view.budget).toMatchObject({ exhausted: false, refusedCount: 0 });
    expect(view.budget?.waiting).toBeUndefined();
    // Two answers of 3 output tokens at $1000/MTok.
    expect(view.budget?.spent.usd).toBeCloseTo(0.006, 9);
    const description = await harness.client.workflow.getHandle(session.sessionId).describe();
    expect(description.typedSearchAttributes.get(CouncilStatusKey)).toBe('running');
    // The progress log tells the wait and how it ended, in order; Dear thinks only once admitted.
    expect(await stepsOf(session, 'Dear')).toEqual([
      'budget waiting',
      'budget room',
      'call thinking',
      'call done',
    ]);
  });

  it('a raise with room for one of two waiting calls admits one; the other waits on and goes once the first settles', async () => {
    // Cheap's $0.1 is reserved; each Dear's $1 does not fit under $0.5. Raised to $1.5, one Dear fits
    // beside Cheap, not both; the first to settle leaves room for the other.
    const config = askConfig();
    const dear = config.participants?.[1];
    if (!dear) throw new Error('askConfig has no Dear');
    const session = await MultiParticipantSession.create(
      harness.client,
      { ...config, participants: [...(config.participants ?? []), { ...dear, name: 'Dearer' }] },
      { taskQueue: harness.taskQueue },
    );
    const round = session.sendMessage('user', 'What is 2 + 2?');
    await untilWaiting(session);
    await session.raiseBudget({ byUsd: 1 });
    const responses = await round;
    expect(responses.map((r) => [r.participantName, r.status, r.error?.message])).toEqual([
      ['Cheap', 'ok', undefined],
      ['Dear', 'ok', undefined],
      ['Dearer', 'ok', undefined],
    ]);
    expect((await session.view()).budget).toMatchObject({ exhausted: false, refusedCount: 0 });
    // The one that waited on shows one wait, which ended when there was room for it.
    const logs = [await stepsOf(session, 'Dear'), await stepsOf(session, 'Dearer')];
    for (const steps of logs) {
      expect(steps).toEqual(['budget waiting', 'budget room', 'call thinking', 'call done']);
    }
  });

  it('`budget stop` refuses the waiting call and the session takes no more rounds', async () => {
    const session = await MultiParticipantSession.create(harness.client, askConfig(), {
      taskQueue: harness.taskQueue,
    });
    const round = session.sendMessage('user', 'What is 2 + 2?');
    await untilWaiting(session);
    const stopped = await session.stopBudget();
    expect(stopped).toMatchObject({ stopped: 'person', exhausted: true });
    const responses = await round;
    const dear = responses.find((r) => r.participantName === 'Dear');
    expect(dear).toMatchObject({ status: 'skipped', error: { type: FailureType.BudgetExhausted } });
    expect(dear?.error?.message).toMatch(/a person stopped it/);
    // Stopped, not out of room: no figures that would have fit are given as the reason.
    expect(dear?.error?.message).not.toMatch(/fit/);
    expect(speakers()).toEqual(['Cheap']);
    // A refused call never began: no thinking in its log.
    expect(await stepsOf(session, 'Dear')).toEqual([
      'budget waiting',
      'budget stopped person',
      'call skipped BudgetExhausted',
    ]);
    // A person stopped it: the refusal says so, and how to go on from code and from the CLI alike.
    await expect(session.sendMessage('user', 'Again?')).rejects.toThrow(
      "this session's budget stopped: a person stopped it (stopBudget, or `council budget stop`); raise it " +
        `to go on (\`council budget raise ${session.sessionId} --by-usd N\`, or raiseBudget({ byUsd: N })), or start a new session`,
    );
  });

  it('stops as `stop` does when no one answers within askTimeoutMs', async () => {
    const session = await MultiParticipantSession.create(harness.client, askConfig(1000), {
      taskQueue: harness.taskQueue,
    });
    const responses = await session.sendMessage('user', 'What is 2 + 2?');
    const dear = responses.find((r) => r.participantName === 'Dear');
    expect(dear?.error?.message).toMatch(/no one raised it before askTimeoutMs passed/);
    expect((await session.view()).budget).toMatchObject({ stopped: 'timeout', exhausted: true });
    await expect(session.sendMessage('user', 'Again?')).rejects.toThrow(
      "this session's budget stopped: no one raised it before askTimeoutMs passed",
    );
    expect(speakers()).toEqual(['Cheap']);
  });

  it('the wait survives a worker shut down while waiting: a new worker takes the raise and the run completes', async () => {
    const first = await startHarness('budget-ask-restart', activities());
    const session = await MultiParticipantSession.create(first.client, askConfig(), {
      taskQueue: first.taskQueue,
    });
    const update = await first.client.workflow.getHandle(session.sessionId).startUpdate(sendMessageUpdate, {
      args: [{ role: 'user', content: 'What is 2 + 2?' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    await untilWaiting(session, first.client);
    await first.close();

    const second = await startHarness('budget-ask-restart', activities(), { taskQueue: first.taskQueue });
    try {
      const attached = await MultiParticipantSession.attach(second.client, session.sessionId);
      await attached.raiseBudget({ toUsd: 2 });
      const result = await second.client.workflow
        .getHandle(session.sessionId)
        .getUpdateHandle<RoundResult>(update.updateId)
        .result();
      expect(result.responses.map((r) => [r.participantName, r.status])).toEqual([
        ['Cheap', 'ok'],
        ['Dear', 'ok'],
      ]);
      expect(speakers()).toEqual(['Cheap', 'Dear']);
      expect(result.budget).toMatchObject({ limit: { maxCostUsd: 2 }, exhausted: false });
    } finally {
      await second.close();
    }
  });
});
