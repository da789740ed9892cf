import { executeCouncilExperts } from '../../client/api/council';
import { canSee } from '../../workflows/council/messages';
import { addressReply, parseExpertReply } from '../../workflows/council/expertReply';
import { council, expert, jsonAnswer, requestsOf, userPrompt } from '../council/support';
import { useScriptedCouncil } from '../council/bench';

const experts = [
  { id: 'a', name: 'Expert A' },
  { id: 'b', name: 'Expert B' },
  { id: 'c', name: 'Expert C' },
  { id: 'd', name: 'Expert D' },
];

/** Who may read an answer from "a" once parsed and addressed, and the parse error recorded. */
function audienceOf(answer: unknown) {
  const reply = parseExpertReply(JSON.stringify(answer), 'response');
  const address = addressReply(reply, 'a', experts, new Set(['m1']));
  const message = { sender: 'a', ...address };
  return {
    readers: experts.map((e) => e.id).filter((id) => id !== 'a' && canSee(message as never, id)),
    parseError: address.context?.parseError !== undefined,
    content: reply.content,
  };
}

describe('attack: a malformed structured reply tries to leak a direct message to everyone', () => {
  it('keeps a reply addressed to two experts (recipient: ["b","c"]) private to its sender, with a parse error', () => {
    expect(audienceOf({ type: 'question', content: 'secret', recipient: ['b', 'c'] })).toEqual({
      readers: [],
      parseError: true,
      content: 'secret',
    });
  });

  it('repairs a recipient list naming one known expert (and an unknown one) to that expert', () => {
    expect(audienceOf({ content: 'secret', recipient: ['Expert B', 'zz'] }).readers).toEqual(['b']);
  });

  it('keeps a reply to an unknown expert private instead of broadcasting it', () => {
    expect(audienceOf({ content: 'secret', recipient: 'zz' })).toMatchObject({
      readers: [],
      parseError: true,
    });
  });

  it('keeps a reply with a recipient of the wrong type (a number) private', () => {
    expect(audienceOf({ content: 'secret', recipient: 42 })).toMatchObject({ readers: [], parseError: true });
  });

  it('repairs an unknown message type but keeps the recipient', () => {
    expect(audienceOf({ type: 'shout', content: 'secret', recipient: 'b' })).toMatchObject({
      readers: ['b'],
      parseError: true,
    });
  });

  it('keeps a JSON object without valid content (raw JSON) private to its sender', () => {
    expect(audienceOf({ text: 'secret', recipient: 'b' })).toMatchObject({ readers: [], parseError: true });
  });

  it('still broadcasts a plain-text (non-JSON) answer and a valid broadcast', () => {
    const plain = parseExpertReply('just text', 'response');
    expect(addressReply(plain, 'a', experts, new Set())).toEqual({});
    expect(audienceOf({ content: 'hello all' })).toEqual({
      readers: ['b', 'c', 'd'],
      parseError: false,
      content: 'hello all',
    });
  });
});

describe("attack: the issue's malformed reply on the real dev server", () => {
  const bench = useScriptedCouncil('private-messages');

  it('shows B\'s message for "a and c" to C (A spoke before it), never to D; the synthesizer sees its audience', async () => {
    // A list was kept private before routing (patch council-message-routing); now it reaches the list.
    bench.script = (speaker) =>
      speaker === 'Expert B'
        ? jsonAnswer({ type: 'critique', content: 'Secret plan for a and c', recipient: ['a', 'c'] })
        : undefined;
    const result = await executeCouncilExperts(
      bench.harness.client,
      council('sequential', [expert('a'), expert('b', { canSendMessages: true }), expert('c'), expert('d')], {
        enableMessaging: true,
      }),
      undefined,
      undefined,
      { taskQueue: bench.harness.taskQueue },
    );
    const seenBy = (other: string) =>
      requestsOf(bench.mock, other).map(userPrompt).join('\n').includes('Secret plan');
    expect({ c: seenBy('Expert C'), d: seenBy('Expert D') }).toEqual({ c: true, d: false });
    const stored = result.messages?.find((m) => m.sender === 'b');
    expect(stored).toMatchObject({ content: 'Secret plan for a and c', recipients: ['a', 'c'] });
    expect(stored?.context?.parseError).toBeUndefined();
    const [synthesis] = requestsOf(bench.mock, 'Synthesizer');
    expect(synthesis && userPrompt(synthesis)).toMatch(
      /"Expert B" \(to "Expert A", "Expert C" only\)\n```text\nSecret plan/,
    );
  });
});
