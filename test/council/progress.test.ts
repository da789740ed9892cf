import type { LLMock } from '@copilotkit/aimock';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts, startCouncil } from '../../client/api/council';
import { attachCouncil } from '../../client/api/councilAttach';
import {
  type ExecutionContext,
  type ExpertUpdate,
  type OnExpertUpdate,
  type OnStatusUpdate,
} from '../../client/api/councilTypes';
import { CouncilUserError } from '../../common/userError';
import { FailureType } from '../../common/failures';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, requestsOf, scriptedCouncil, userPrompt } from './support';

/** Callbacks that write one line per update, e.g. "a:thinking" or "status:running". */
function recorder() {
  const lines: string[] = [];
  const seqs: number[] = [];
  const onExpertUpdate = (id: string, update: ExpertUpdate): void => {
    lines.push(`${id}:${update.state}`);
    seqs.push(update.seq);
  };
  const onStatusUpdate: OnStatusUpdate = (status, update) => {
    lines.push(`status:${status}`);
    seqs.push(update.seq);
  };
  return { lines, seqs, onExpertUpdate, onStatusUpdate };
}

describe('council progress, failures and result shape on the real dev server', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  const fastRetry = { maximumAttempts: 2, initialIntervalMs: 10, backoffCoefficient: 1 };

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on(
      { predicate: (request) => speakerOf({ body: request }) === 'Server Down' },
      { error: { message: 'upstream exploded', type: 'server_error' }, status: 500 },
    );
    mock.on(
      { predicate: (request) => speakerOf({ body: request }) === 'Bad Request' },
      { error: { message: 'context too long', type: 'invalid_request_error' }, status: 400 },
    );
    // Slow enough that a cancel always lands while its call is in flight.
    mock.on(
      { predicate: (request) => speakerOf({ body: request }) === 'Slow' },
      { content: 'too late' },
      { chaos: { latencyMs: 3000 } },
    );
    scriptedCouncil(mock, () => undefined, 150);
    harness = await startHarness('council-progress', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  const options = (councilId?: string) => ({ taskQueue: harness.taskQueue, councilId, pollIntervalMs: 50 });

  it('fires the callbacks in the order of the durable log, and an attaching caller gets the same', async () => {
    const first = recorder();
    const councilId = `council-progress-${Date.now()}`;
    let attached: ReturnType<typeof attachCouncil> | undefined;
    let resuming: ReturnType<typeof attachCouncil> | undefined;
    const late = recorder();
    const resumed = recorder();
    let resumedFrom = -1;
    let duplicate: Promise<unknown> | undefined;
    const onExpertUpdate: OnExpertUpdate = (id, update) => {
      first.onExpertUpdate(id, update);
      // A second caller attaches mid-council (as after a crash): once from the start, once resuming.
      if (id === 'a' && update.state === 'done' && !attached) {
        resumedFrom = update.seq + 1;
        duplicate = startCouncil(
          harness.client,
          council('parallel', [expert('z')]),
          options(councilId),
        ).catch((error: unknown) => error);
        attached = attachCouncil(harness.client, councilId, { ...late, pollIntervalMs: 50 });
        resuming = attachCouncil(harness.client, councilId, {
          ...resumed,
          fromEvent: resumedFrom,
          pollIntervalMs: 50,
        });
      }
    };
    const result = await executeCouncilExperts(
      harness.client,
      council('sequential', [expert('a'), expert('b')]),
      onExpertUpdate,
      first.onStatusUpdate,
      options(councilId),
    );

    expect(first.lines).toEqual([
      'status:running',
      'a:thinking',
      'a:done',
      'status:running',
      'b:thinking',
      'b:done',
      'status:synthesizing',
      'status:completed',
    ]);
    expect(first.seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(attached).toBeDefined();
    const lateResult = await attached;
    expect(late.lines).toEqual(first.lines);
    expect(lateResult).toEqual(result);
    expect(await resuming).toEqual(result);
    // Starting another council under a running one's id is refused with a pointer to attachCouncil.
    const refused = await duplicate;
    expect(refused).toBeInstanceOf(CouncilUserError);
    expect((refused as CouncilUserError).toOneLine()).toContain(
      'already exists (pick another councilId, or follow a running one with attachCouncil)',
    );
    expect(resumedFrom).toBe(3);
    expect(resumed.lines).toEqual(first.lines.slice(3));
  });

  it('marks failed experts, goes on without them, and tells the synthesis who failed', async () => {
    const updates = recorder();
    const result = await executeCouncilExperts(
      harness.client,
      council('parallel', [
        expert('ok', { name: 'Works' }),
        expert('down', { name: 'Server Down', retry: fastRetry }),
        expert('bad', { name: 'Bad Request', retry: fastRetry }),
      ]),
      updates.onExpertUpdate,
      updates.onStatusUpdate,
      options(),
    );

    expect(requestsOf(mock, 'Server Down')).toHaveLength(fastRetry.maximumAttempts);
    expect(requestsOf(mock, 'Bad Request')).toHaveLength(1); // 400 is not retried
    expect(result.failedExperts).toEqual(['down', 'bad']);
    expect(result.outputs.down).toMatchObject({
      status: 'failed',
      error: { type: FailureType.ProviderServerError },
    });
    expect(result.outputs.bad).toMatchObject({
      status: 'failed',
      error: { type: FailureType.ProviderBadRequest },
    });
    expect(result.outputs.ok).toMatchObject({
      status: 'done',
      content: expect.stringMatching(/^Works: answer/),
    });
    expect(updates.lines).toEqual(expect.arrayContaining(['down:failed', 'bad:failed', 'ok:done']));
    expect(updates.lines.at(-1)).toBe('status:completed');
    const [synthesis] = requestsOf(mock, 'Synthesizer');
    const text = synthesis ? userPrompt(synthesis) : '';
    expect(text).toContain('## Failed Experts');
    expect(text).toContain('- "Server Down" (down) failed: ProviderServerError');
    expect(text).toContain('- "Bad Request" (bad) failed: ProviderBadRequest');
    expect(result.synthesis.status).toBe('done');
  });

  it('returns the same result shape without messaging, minus messages and conversationContext', async () => {
    const context: ExecutionContext = council('parallel', [expert('a'), expert('b')]);
    const without = await executeCouncilExperts(harness.client, context, undefined, undefined, options());
    const withMessaging = await executeCouncilExperts(
      harness.client,
      { ...context, enableMessaging: true },
      undefined,
      undefined,
      options(),
    );

    expect('messages' in without).toBe(false);
    expect('conversationContext' in without).toBe(false);
    expect(Object.keys(withMessaging).sort()).toEqual(
      [...Object.keys(without), 'messages', 'conversationContext'].sort(),
    );
    expect(Object.keys(without.outputs)).toEqual(['a', 'b']);
    expect(Object.keys(without.outputs.a ?? {}).sort()).toEqual(
      Object.keys(withMessaging.outputs.a ?? {}).sort(),
    );
    expect(without.tokenUsage.total.totalTokens).toBe(3 * 15);
  });

  it('stops at the next round when the council is cancelled, calling no further expert', async () => {
    const councilId = `council-cancel-${Date.now()}`;
    const updates = recorder();
    const running = executeCouncilExperts(
      harness.client,
      council('sequential', [expert('a', { name: 'Slow' }), expert('b')]),
      (id, update) => {
        updates.onExpertUpdate(id, update);
        if (id === 'a' && update.state === 'thinking') {
          void harness.client.workflow.getHandle(councilId).cancel();
        }
      },
      updates.onStatusUpdate,
      options(councilId),
    );
    const failure = await running.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CouncilUserError);
    expect((failure as CouncilUserError).message).toBe(
      `council ${councilId} was cancelled before its synthesis`,
    );
    const ended = (failure as CouncilUserError).cause;
    expect(ended).toBeInstanceOf(WorkflowFailedError);
    expect((ended as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    // A's call ends with the run: the council says cancelled (no expert failed or skipped), and no
    // later round opens.
    expect(updates.lines).toEqual(['status:running', 'a:thinking', 'status:cancelled']);
    expect(requestsOf(mock, 'Expert B')).toHaveLength(0);
    expect(requestsOf(mock, 'Synthesizer')).toHaveLength(0);
  });

  it('reports bad input with its path, from the client and from the workflow itself', async () => {
    const bad = council('parallel', [expert('a'), expert('a')]);
    await expect(executeCouncilExperts(harness.client, bad, undefined, undefined, options())).rejects.toThrow(
      /activeExperts\[1\]\.id: expert id "a" is used twice/,
    );
    // From plain JavaScript, a context that is no object (or has no list of experts) is said so too.
    for (const notAContext of [null, { ...bad, activeExperts: { a: expert('a') } }]) {
      await expect(
        executeCouncilExperts(harness.client, notAContext as never, undefined, undefined, options()),
      ).rejects.toThrow(
        new CouncilUserError(
          'invalid council context: it must be an object whose activeExperts is a list of experts',
        ),
      );
    }
    // A caller that bypasses the client's check gets the workflow's own InvalidRequest failure.
    const councilId = `council-invalid-${Date.now()}`;
    await harness.client.workflow.start('councilWorkflow', {
      workflowId: councilId,
      taskQueue: harness.taskQueue,
      args: [{ context: { ...bad, activeExperts: [expert('a'), expert('a')] } }],
    });
    const attached = attachCouncil(harness.client, councilId, { pollIntervalMs: 50 });
    await expect(attached).rejects.toBeInstanceOf(CouncilUserError);
    await expect(attached).rejects.toThrow(/invalid council context: activeExperts\[1\]\.id/);
    const never = attachCouncil(harness.client, 'council-that-never-was');
    await expect(never).rejects.toThrow('no council with id "council-that-never-was"');
    await expect(never).rejects.toMatchObject({ name: 'RunNotFoundError', kind: 'council' });
  });
});
