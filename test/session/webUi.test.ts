import type { LLMock } from '@copilotkit/aimock';
import type { WorkflowHandle } from '@temporalio/client';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { MultiParticipantSession } from '../../client/api/session';
import { council, expert } from '../council/support';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;

/** The SDK's built-in query behind the Web UI's "current details". */
const METADATA_QUERY = '__temporal_workflow_metadata';

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>(METADATA_QUERY);
  return metadata.currentDetails ?? '';
}

/** The Temporal Web UI reads like a log: a summary and details per run, and what it is doing now. */
describe('Web UI metadata of sessions and councils', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let open: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  const held: string[] = [];

  beforeAll(async () => {
    mock = await startMockLlm();
    // Every call waits at the gate a test closes, so the test can look at a round in progress.
    mock.on({ predicate: () => true }, async (request) => {
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      held.push(speaker);
      await gate;
      return { content: `${speaker}: answer`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
    });
    harness = await startHarness('web-ui', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    open();
    await harness?.close();
    await mock?.stop();
  });
  beforeEach(() => {
    held.length = 0;
    gate = new Promise((resolve) => (open = resolve));
  });

  it('a session has a static summary and details, and current details say the round and who answers', async () => {
    const session = await MultiParticipantSession.create(
      harness.client,
      { systemPrompt: 'Be brief.', strategy: 'broadcast' },
      { taskQueue: harness.taskQueue, sessionId: `web-ui-session-${Date.now()}` },
    );
    const handle = harness.client.workflow.getHandle(session.sessionId);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe('session · broadcast');
    expect(await description.staticDetails()).toContain('**Strategy:** broadcast');

    await session.addParticipant('Agent-1', model, 'panelist');
    await session.addParticipant('Agent-2', model, 'panelist');
    expect(await currentDetails(handle)).toBe(
      'Idle after round 0 · broadcast · Agent-1, Agent-2 · 0 tokens: waiting for the next message',
    );

    const round = session.sendMessage('user', 'What now?');
    await waitFor('both calls at the mock', () => held.length === 2);
    expect(await currentDetails(handle)).toBe('Round 1 (broadcast) · answering: Agent-1, Agent-2');
    open();
    await round;
    expect(await currentDetails(handle)).toBe(
      'Idle after round 1 · broadcast · Agent-1, Agent-2 · 30 tokens: waiting for the next message',
    );
    await session.close();
    expect(await currentDetails(handle)).toBe('Closed after 1 round(s) · 30 tokens');
  });

  it('a council has a static summary and details, and current details say the round and who answers', async () => {
    const councilId = `web-ui-council-${Date.now()}`;
    const done = executeCouncilExperts(
      harness.client,
      council('parallel', [expert('a'), expert('b')]),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue, councilId },
    );
    const handle = harness.client.workflow.getHandle(councilId);
    await waitFor('both experts at the mock', () => held.length === 2);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe(
      'council · parallel · 2 experts: Decide whether to adopt a four-day work week.',
    );
    const details = await description.staticDetails();
    expect(details).toContain('**Mode:** parallel');
    expect(details).toContain('- Expert A (a): openai/gpt-4o-mini');
    expect(await currentDetails(handle)).toMatch(/^running: round 1: .* · answering: Expert A, Expert B$/);
    open();
    await done;
    expect(await currentDetails(handle)).toBe('completed: 0 of 2 experts failed');
  });
});
