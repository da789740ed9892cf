import { sendHumanMessage, startCouncil } from '../../client/api/council';
import { councilHumanMessages } from '../../client/api/councilRead';
import { MultiParticipantSession } from '../../client/api/session';
import { council, expert, requestsOf, userPrompt } from '../council/support';
import { useMockHarness } from '../helpers/mockHarness';
import { chatRequests, speakerOf } from '../helpers/mockLlm';
import { waitFor } from '../helpers/wait';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const CODE = '    def f():\n        return 1';
// The code's first line as a line of the prompt, indentation and all.
const INDENTED_FIRST_LINE = /(^|\n) {4}def f\(\):\n {8}return 1/;

// A message or task that opens with indented code (a snippet pasted from an editor) keeps its first
// line's indentation: only the blank lines before it and the whitespace after it are dropped.
describe('a message that opens with indented code', () => {
  // The council's test holds the answers until its person's message is in.
  let held = Promise.resolve();
  let called = 0;
  const bench = useMockHarness('message-indentation', (mock) =>
    mock.on({ predicate: () => true }, async (request) => {
      called += 1;
      await held;
      const speaker = speakerOf({ body: request }) ?? 'Synthesizer';
      return { content: `${speaker}: answer`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
    }),
  );

  it("reaches a session's participants and transcript as written", async () => {
    const { client, taskQueue } = bench.harness;
    const session = await MultiParticipantSession.create(
      client,
      { strategy: 'broadcast', participants: [{ name: 'Reader', role: 'panelist', model }] },
      { taskQueue },
    );
    await session.sendMessage('user', `\n  \n${CODE}  \n\n`);
    const [request] = chatRequests(bench.mock);
    expect(userPrompt(request!)).toMatch(INDENTED_FIRST_LINE);
    const asked = (await session.transcript()).find((entry) => entry.role === 'user');
    expect(asked?.content).toBe(CODE);
    await session.close();
  });

  it("reaches a council's experts as its task, and its transcript as a person's message", async () => {
    const { client, taskQueue } = bench.harness;
    let release = () => undefined as void;
    held = new Promise<void>((resolve) => (release = resolve));
    called = 0;
    const id = await startCouncil(client, council('sequential', [expert('a')], { task: `${CODE}\n` }), {
      taskQueue,
    });
    await waitFor('the expert to be called', () => called >= 1);
    await sendHumanMessage(client, id, { content: `\n${CODE}\n` });
    release();
    await client.workflow.getHandle(id).result();
    expect(userPrompt(requestsOf(bench.mock, 'Expert A')[0]!)).toMatch(INDENTED_FIRST_LINE);
    const people = await councilHumanMessages(client, id);
    expect(people.map((entry) => entry.message.content)).toEqual([CODE]);
  });
});
