import type { LLMock } from '@copilotkit/aimock';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts, startCouncil } from '../../client/api/council';
import { attachCouncil } from '../../client/api/councilAttach';
import { type ConversationContext, type ExecutionContext } from '../../client/api/councilTypes';
import { CouncilUserError } from '../../common/userError';
import { chatRequests, mockClients, promptText, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, scriptedCouncil } from './support';

/** The council seed's own code ("Existing code works unchanged") against the library. */
describe("the council seed's ExecutionContext and Expert fields", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;

  beforeAll(async () => {
    mock = await startMockLlm();
    scriptedCouncil(mock);
    harness = await startHarness('council-seed-compat', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => mock.clearRequests());

  it('refuses apiKey with what to do instead, and starts nothing that would record the key', async () => {
    const councilId = `council-seed-apikey-${Date.now()}`;
    // The seed's context as JavaScript passes it (TypeScript refuses it already: `apiKey?: never`).
    const context = {
      ...council('parallel', [expert('a')]),
      apiKey: 'sk-seed-secret',
    } as unknown as ExecutionContext;
    const run = executeCouncilExperts(harness.client, context, undefined, undefined, {
      councilId,
      taskQueue: harness.taskQueue,
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CouncilUserError);
    const line = (error as CouncilUserError).toOneLine();
    expect(line).toMatch(
      /^apiKey is not accepted in the council context: keys never go into a workflow's history/,
    );
    expect(line).toContain('remove apiKey and set the key in the environment of the worker');
    expect(line).toContain('openai: OPENAI_API_KEY; anthropic: ANTHROPIC_API_KEY');
    expect(line).not.toContain('sk-seed-secret');
    await expect(harness.client.workflow.getHandle(councilId).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(chatRequests(mock)).toHaveLength(0);
  });

  it("accepts an expert's conversationContext from an earlier result and keeps it out of every prompt", async () => {
    const old = 'Earlier-run remark that must not come back';
    const carried: ConversationContext = {
      messages: [
        {
          id: 'old-1',
          sender: 'a',
          senderName: 'Expert A',
          content: old,
          timestamp: new Date('2026-02-02T00:00:00Z'),
          type: 'response',
        },
      ],
      previousResponses: { a: old },
      conversationHistory: `## Previous Expert Responses\n\n### Expert A\n${old}`,
      round: 1,
    };
    const experts = [expert('a', { conversationContext: carried }), expert('b')];
    const result = await executeCouncilExperts(
      harness.client,
      council('sequential', experts, { enableMessaging: true }),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue },
    );
    expect(result.failedExperts).toEqual([]);
    expect(result.synthesis.status).toBe('done');
    // Expert A, Expert B and the synthesizer were asked; none was shown the earlier run's message.
    const prompts = chatRequests(mock).map(promptText);
    expect(prompts).toHaveLength(3);
    for (const prompt of prompts) expect(prompt).not.toContain(old);
    // This run's context of A holds this run's messages only.
    expect(result.conversationContext?.a?.messages.map((m) => m.id)).not.toContain('old-1');
    expect(JSON.stringify(result)).not.toContain(old);
  });

  it('calls a messageHandler only in a follower, after the fact, once per follower (README)', async () => {
    const received: string[] = [];
    const handler = (message: { senderName: string }) => void received.push(message.senderName);
    const experts = [expert('a', { messageHandler: handler }), expert('b')];
    const context = council('sequential', experts, { enableMessaging: true });
    // startCouncil follows nothing: the council runs to its end and no handler is called.
    const councilId = await startCouncil(harness.client, context, { taskQueue: harness.taskQueue });
    await harness.client.workflow.getHandle(councilId).result();
    expect(received).toEqual([]);
    // A follower attached after the end reads the log from the start: A's handler gets B's broadcast.
    await attachCouncil(harness.client, councilId, { messageHandlers: { a: handler } });
    expect(received).toEqual(['Expert B']);
    // A second follower calls it again.
    await attachCouncil(harness.client, councilId, { messageHandlers: { a: handler } });
    expect(received).toEqual(['Expert B', 'Expert B']);
  });
});
