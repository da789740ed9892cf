import { WorkflowNotFoundError } from '@temporalio/client';
import { executeCouncilExperts, sendHumanMessage, startCouncil } from '../../client/api/council';
import { type ExecutionContext } from '../../client/api/councilTypes';
import { CouncilUserError } from '../../common/userError';
import { MultiParticipantSession } from '../../client/api/session';
import { LIMITS } from '../../common/defaults';
import { answerAsParticipants, chatRequests } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/** What a promise rejected with; fails the test if it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error(`expected a rejection, got ${String(outcome)}`);
  return outcome;
}

describe('sessions and councils that have ended, and input refused before anything starts', () => {
  const bench = useMockHarness('endings', (mock) => answerAsParticipants(mock));

  it('an update to a closed session is one clear CouncilUserError, not WorkflowNotFoundError', async () => {
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { strategy: 'broadcast', participants: [{ name: 'A', role: 'panelist', model }] },
      { taskQueue: bench.harness.taskQueue },
    );
    await session.sendMessage('user', 'Hello');
    await session.close();
    // One at a time: a rejection nobody awaits yet would be reported as unhandled.
    for (const attempt of [
      () => session.sendMessage('user', 'Anyone there?'),
      () => session.addParticipant('B', model, 'panelist'),
      () => session.close(),
    ]) {
      const error = await rejectionOf(attempt());
      expect(error).toBeInstanceOf(CouncilUserError);
      expect(error.message).toBe(`session "${session.sessionId}" is closed (completed)`);
      expect((error as CouncilUserError).toOneLine()).toBe(
        `session "${session.sessionId}" is closed (completed) (start a new session)`,
      );
    }
  });

  it("a person's message to a completed council is one clear CouncilUserError", async () => {
    const context: ExecutionContext = {
      task: 'Pick a colour.',
      mode: 'parallel',
      activeExperts: [{ id: 'a', name: 'Expert A', model }],
      synthesisConfig: { model },
    };
    const result = await executeCouncilExperts(bench.harness.client, context, undefined, undefined, {
      taskQueue: bench.harness.taskQueue,
      pollIntervalMs: 50,
    });
    const error = await rejectionOf(
      sendHumanMessage(bench.harness.client, result.councilId, { content: 'Late' }),
    );
    expect(error).toBeInstanceOf(CouncilUserError);
    expect(error.message).toBe(`council "${result.councilId}" is closed (completed)`);

    // Its id names it for good: a second council under it is refused, not started over it.
    const again = await rejectionOf(
      startCouncil(bench.harness.client, context, {
        councilId: result.councilId,
        taskQueue: bench.harness.taskQueue,
      }),
    );
    expect(again).toBeInstanceOf(CouncilUserError);
    expect(again.message).toBe(`a session or council with id "${result.councilId}" already exists`);
    expect((await bench.harness.client.workflow.getHandle(result.councilId).describe()).status.name).toBe(
      'COMPLETED',
    );
  });

  it('create() refuses a bad config on the client, naming each issue, and starts nothing', async () => {
    const sessionId = `endings-bad-config-${process.pid}`;
    const error = await rejectionOf(
      MultiParticipantSession.create(
        bench.harness.client,
        {
          strategy: 'sideways' as never,
          participants: [{ name: 'A', role: 'boss' as never, model }],
        },
        { sessionId, taskQueue: bench.harness.taskQueue },
      ),
    );
    expect(error).toBeInstanceOf(CouncilUserError);
    expect(error.message).toMatch(/^invalid session config: strategy: .*; participants\[0\]\.role: /);
    await expect(bench.harness.client.workflow.getHandle(sessionId).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it('a 2.1 MB message is refused on the client, and the next message is answered promptly', async () => {
    const session = await MultiParticipantSession.create(
      bench.harness.client,
      { strategy: 'broadcast', participants: [{ name: 'A', role: 'panelist', model }] },
      { taskQueue: bench.harness.taskQueue },
    );
    bench.mock.clearRequests();
    const error = await rejectionOf(session.sendMessage('user', 'x'.repeat(2_100_000)));
    expect(error).toBeInstanceOf(CouncilUserError);
    expect(error.message).toMatch(new RegExp(`^invalid message: content: .*${LIMITS.maxMessageChars}`));
    const startedAt = Date.now();
    const [response] = await session.sendMessage('user', 'A short question');
    expect(response?.status).toBe('ok');
    // Nothing was blocked: the server never saw the oversized update.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(chatRequests(bench.mock)).toHaveLength(1);
    expect((await session.view()).round).toBe(1);
  });

  // A round sent and then, without waiting for it, the session closed: the close could reach the
  // workflow first, and the round was refused as sent to a closed session (once in eight on a fresh
  // session). What one session object sent before its close is played before it closes.
  it('plays a round sent just before close(), and close() returns a view that holds it', async () => {
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const session = await MultiParticipantSession.create(
        bench.harness.client,
        { strategy: 'broadcast', participants: [{ name: 'A', role: 'panelist', model }] },
        { taskQueue: bench.harness.taskQueue },
      );
      const round = session.sendMessage('user', `sent before close ${attempt}`);
      const closed = await session.close();
      expect({ attempt, round: closed.round }).toEqual({ attempt, round: 1 });
      expect((await round).map((response) => response.status)).toEqual(['ok']);
    }
  });
});
