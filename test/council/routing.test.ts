import { readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { executeCouncilExperts, sendHumanMessage } from '../../client/api/council';
import { type ExpertMessage } from '../../client/api/councilTypes';
import { CouncilUserError } from '../../common/userError';
import { testEnvironment } from '../helpers/testEnv';
import { council, expert, jsonAnswer, userPrompt } from './support';
import { useScriptedCouncil } from './bench';

describe('council message routing on the real dev server', () => {
  const bench = useScriptedCouncil('council-routing');

  it('hides a direct message from the other experts and threads a reply to it', async () => {
    // A asks C privately; C answers everyone, replying to A's message by the id its history shows.
    bench.script = (speaker, request) => {
      if (speaker === 'Expert A') {
        return jsonAnswer({ type: 'question', content: 'Private: what about overtime?', recipient: 'c' });
      }
      if (speaker === 'Expert C') {
        const id = /### "Expert A" \(id ([0-9a-f-]+), question, to "Expert C" only\)/.exec(
          userPrompt(request),
        )?.[1];
        return jsonAnswer({ type: 'clarification', content: 'Overtime falls.', replyTo: id });
      }
      return undefined;
    };
    const received: Record<string, ExpertMessage[]> = { a: [], b: [], c: [], d: [] };
    const handler = (id: string) => (message: ExpertMessage) => void received[id]?.push(message);
    const experts = [
      expert('a', { canSendMessages: true, messageHandler: handler('a') }),
      expert('b', { messageHandler: handler('b') }),
      expert('c', { canSendMessages: true, messageHandler: handler('c') }),
      expert('d', { messageHandler: handler('d') }),
    ];
    const result = await executeCouncilExperts(
      bench.harness.client,
      council('sequential', experts, { enableMessaging: true }),
      undefined,
      undefined,
      { taskQueue: bench.harness.taskQueue },
    );

    expect(bench.promptOf('Expert B')).not.toContain('Private: what about overtime?');
    expect(bench.promptOf('Expert C')).toContain(
      'question, to "Expert C" only)\n```text\nPrivate: what about overtime?\n```',
    );
    // D cannot see A's question, so it sees that C replied, not what C replied to.
    expect(bench.promptOf('Expert D')).not.toContain('Private');
    expect(bench.promptOf('Expert D')).toMatch(
      /### "Expert C" \(clarification, replying to an earlier message\)\n```text\nOvertime falls\.\n```/,
    );

    const [question, , reply] = result.messages ?? [];
    expect(question).toMatchObject({ sender: 'a', recipient: 'c', type: 'question' });
    expect(reply).toMatchObject({ sender: 'c', type: 'clarification', replyTo: question?.id });
    expect(reply?.recipient).toBeUndefined();
    // What each was shown at its turn: A's question reached C only.
    expect(result.conversationContext?.b?.messages.map((m) => m.sender)).toEqual([]);
    expect(result.conversationContext?.c?.messages.map((m) => m.sender)).toEqual(['a', 'b']);
    expect(result.conversationContext?.d?.messages.map((m) => m.sender)).toEqual(['b', 'c']);

    // messageHandler: each expert is handed exactly the messages routed to it.
    const senders = (id: string) => received[id]?.map((m) => m.sender);
    expect(senders('a')).toEqual(['b', 'c', 'd']);
    expect(senders('b')).toEqual(['c', 'd']);
    expect(senders('c')).toEqual(['a', 'b', 'd']);
    expect(senders('d')).toEqual(['b', 'c']);
  });

  it('routes a human message to one expert only, waiting for it between rounds', async () => {
    let councilId = '';
    let injected: ExpertMessage | undefined;
    let rejection: unknown;
    const statuses: string[] = [];
    const result = await executeCouncilExperts(
      bench.harness.client,
      council('sequential', [expert('a'), expert('b'), expert('c')], {
        enableMessaging: true,
        awaitHumanBetweenRounds: { timeoutMs: 1500 },
      }),
      undefined,
      async (status) => {
        statuses.push(status);
        if (status !== 'awaiting-human' || injected) return;
        rejection = await sendHumanMessage(bench.harness.client, councilId, {
          content: 'x',
          recipient: 'zz',
        }).catch((error: unknown) => error);
        injected = await sendHumanMessage(bench.harness.client, councilId, {
          content: 'Human note: B, consider part-time staff.',
          recipient: 'b',
          senderName: 'Alice',
        });
      },
      { taskQueue: bench.harness.taskQueue, councilId: (councilId = `council-human-${Date.now()}`) },
    );

    expect(injected).toMatchObject({
      sender: 'human',
      senderName: 'Alice',
      recipient: 'b',
      type: 'clarification',
    });
    expect(injected?.timestamp).toBeInstanceOf(Date);
    expect(rejection).toBeInstanceOf(CouncilUserError);
    expect((rejection as Error).message).toContain(
      'no expert with id "zz" in this council (experts: a, b, c)',
    );
    expect(bench.promptOf('Expert B')).toContain(
      '### "Alice" (human, clarification, to "Expert B" only)\n```text\nHuman note: B, consider part-time staff.\n```',
    );
    expect(bench.promptOf('Expert C')).not.toContain('Human note');
    expect(bench.promptOf('Expert A')).not.toContain('Human note');
    expect(bench.promptOf('Synthesizer')).toContain(
      '## Input from People\n#### "Alice" (to "Expert B" only)\n```text\nHuman note',
    );
    expect(result.messages?.map((m) => m.sender)).toEqual(['a', 'human', 'b', 'c']);
    // It waited between rounds: answered once, then timed out once; none after the last (patch last-round-wait).
    expect(statuses.filter((s) => s === 'awaiting-human')).toHaveLength(2);

    // Ids and timestamps come from the workflow's seeded uuid4 and clock: the history replays cleanly.
    const history = await bench.harness.client.workflow.getHandle(councilId).fetchHistory();
    const workflowBundle = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
    await expect(Worker.runReplayHistory({ workflowBundle }, history, councilId)).resolves.toBeUndefined();
  });
});
