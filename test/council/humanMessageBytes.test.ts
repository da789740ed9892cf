import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { sendHumanMessage, startCouncil } from '../../client/api/council';
import { councilHumanMessages } from '../../client/api/councilRead';
import { COUNCIL_LIMITS, type CouncilWorkflowResult } from '../../common/council';
import { jsonStringBytes } from '../../common/size';
import { mockClients, speakerOf, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { waitFor } from '../helpers/wait';
import { council, expert } from './support';

// People's messages stay in a council's one run twice each (the update and its result): past a byte
// budget one is refused, so people cannot carry the run to the server's 50 MB history limit.
describe("people's messages to a council share a byte budget", () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let release: () => void = () => undefined;
  let held = Promise.resolve();
  let called = 0;
  // Each test holds the experts' answers until it has sent its messages: the round stays open for them.
  beforeEach(() => {
    called = 0;
    held = new Promise<void>((resolve) => (release = resolve));
  });

  beforeAll(async () => {
    mock = await startMockLlm();
    mock.on({ predicate: () => true }, async (request) => {
      called += 1;
      await held;
      const speaker = speakerOf({ body: request }) ?? 'Synthesizer';
      return { content: `${speaker}: answer`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
    });
    harness = await startHarness('council-human-bytes', createLlmActivities(mockClients(mock)));
  });
  afterAll(async () => {
    release();
    await harness?.close();
    await mock?.stop();
  });

  it('refuses the message that would pass it, saying what is left, and the council goes on', async () => {
    const { client, taskQueue } = harness;
    const councilId = await startCouncil(client, council('parallel', [expert('a'), expert('b')]), {
      taskQueue,
    });
    await waitFor('both experts to be called', () => called >= 2);
    const content = `Consider this. ${'note '.repeat(3_000)}`.trim();
    const each = jsonStringBytes(content);
    let accepted = 0;
    let refusal: Error | undefined;
    // Bounded: a council takes at most 200 people's messages anyway.
    while (!refusal && accepted < COUNCIL_LIMITS.maxHumanMessages) {
      refusal = await sendHumanMessage(client, councilId, { content }).then(
        () => void (accepted += 1),
        (error: Error) => error,
      );
    }
    // Each update is counted as sent: its content and the few bytes of JSON around it.
    expect(accepted * each).toBeLessThanOrEqual(COUNCIL_LIMITS.maxHumanMessageBytes);
    expect((accepted + 1) * (each + 64)).toBeGreaterThan(COUNCIL_LIMITS.maxHumanMessageBytes);
    expect(refusal?.message).toMatch(
      new RegExp(
        `this council has taken \\d+ bytes of people's messages, and this one \\(\\d+ bytes\\) ` +
          `would pass their ${COUNCIL_LIMITS.maxHumanMessageBytes}: \\d+ bytes are left; send a shorter message`,
      ),
    );
    // A shorter one still fits.
    await sendHumanMessage(client, councilId, { content: 'One last, short note.' });
    release();
    const result = (await client.workflow.getHandle(councilId).result()) as CouncilWorkflowResult;
    expect(result.synthesis.status).toBe('done');
    const people = await councilHumanMessages(client, councilId);
    expect(people.at(-1)?.message.content).toBe('One last, short note.');
  });

  it('counts a message as sent: padding that the schema trims away still counts', async () => {
    const { client, taskQueue } = harness;
    const councilId = await startCouncil(client, council('parallel', [expert('a'), expert('b')]), {
      taskQueue,
    });
    await waitFor('both experts to be called', () => called >= 2);
    const padded = `A short point.${' '.repeat(1_200_000)}`;
    await sendHumanMessage(client, councilId, { content: padded });
    await expect(sendHumanMessage(client, councilId, { content: padded })).rejects.toThrow(
      /this council has taken \d+ bytes of people's messages, and this one \(\d+ bytes\) would pass/,
    );
    release();
    await client.workflow.getHandle(councilId).result();
  });
});
