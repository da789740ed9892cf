import { readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { executeCouncilExperts, sendHumanMessage } from '../../client/api/council';
import { type ExpertMessage } from '../../client/api/councilTypes';
import { CouncilUserError } from '../../common/userError';
import { councilProgressQuery } from '../../common/councilApi';
import { testEnvironment } from '../helpers/testEnv';
import { council, expert, jsonAnswer, requestsOf } from './support';
import { useScriptedCouncil } from './bench';

// The mock LLM's journal is the witness: what each expert's request held is what it was shown.
describe('council roles, groups and urgent messages on the real dev server', () => {
  const bench = useScriptedCouncil('council-groups');

  it("keeps a group message to the group, and sends a role message to exactly the role's experts", async () => {
    bench.script = (speaker) => {
      if (speaker === 'Expert A')
        return jsonAnswer({ content: 'Core only: the budget is tight.', recipient: 'core' });
      if (speaker === 'Expert E')
        return jsonAnswer({ content: 'Critics: check the numbers.', recipient: 'role:critic' });
      return undefined;
    };
    const councilId = `council-groups-${Date.now()}`;
    const result = await executeCouncilExperts(
      bench.harness.client,
      council(
        'sequential',
        [
          expert('a', { role: 'analyst', canSendMessages: true }),
          expert('e', { canSendMessages: true }),
          expert('b', { role: 'critic' }),
          expert('c', { role: 'critic' }),
          expert('d'),
        ],
        { enableMessaging: true, groups: { core: ['b', 'd'] } },
      ),
      undefined,
      undefined,
      { taskQueue: bench.harness.taskQueue, councilId },
    );

    // The group's members read it, marked as the group's; the others never see it.
    expect(bench.promptOf('Expert B')).toContain(
      'to group "core" only)\n```text\nCore only: the budget is tight.',
    );
    expect(bench.promptOf('Expert D')).toContain('Core only: the budget is tight.');
    for (const outsider of ['Expert E', 'Expert C'])
      expect(bench.promptOf(outsider)).not.toContain('Core only');
    // The critics read the role message; D, who speaks after them and holds no role, does not.
    expect(bench.promptOf('Expert B')).toContain(
      'to role "critic" only)\n```text\nCritics: check the numbers.',
    );
    expect(bench.promptOf('Expert C')).toContain('Critics: check the numbers.');
    expect(bench.promptOf('Expert D')).not.toContain('Critics');
    // The expert that may send messages was told of roles and groups.
    const [request] = requestsOf(bench.mock, 'Expert E');
    const system = JSON.stringify(request?.body);
    expect(system).toContain('- a: Expert A (role: analyst)');
    expect(system).toContain('Groups:\\n- core: b, d');

    const [toGroup, toRole] = result.messages ?? [];
    expect(toGroup).toMatchObject({ sender: 'a', recipients: ['b', 'd'], audience: 'group:core' });
    expect(toRole).toMatchObject({ sender: 'e', recipients: ['b', 'c'], audience: 'role:critic' });
    // C's context is what its turn was shown: the role message and B's answer, never the group's.
    expect(result.conversationContext?.c?.messages.map((m) => m.sender)).toEqual(['e', 'b']);

    // The routed history (with its patch marker) replays against the current code.
    const history = await bench.harness.client.workflow.getHandle(councilId).fetchHistory();
    const workflowBundle = { code: readFileSync(testEnvironment().bundlePath, 'utf8') };
    await expect(Worker.runReplayHistory({ workflowBundle }, history, councilId)).resolves.toBeUndefined();
  });

  it("puts a person's urgent message first for the role's experts, and keeps the rest in their inboxes", async () => {
    let councilId = '';
    let urgent: ExpertMessage | undefined;
    let rejection: unknown;
    await executeCouncilExperts(
      bench.harness.client,
      council(
        'sequential',
        [expert('a'), expert('b', { role: 'critic' }), expert('c', { role: 'critic' }), expert('d')],
        {
          awaitHumanBetweenRounds: { timeoutMs: 1500 },
        },
      ),
      undefined,
      async (status) => {
        if (status !== 'awaiting-human' || urgent) return;
        rejection = await sendHumanMessage(bench.harness.client, councilId, {
          content: 'x',
          recipient: 'role:judge',
        }).catch((error: unknown) => error);
        urgent = await sendHumanMessage(bench.harness.client, councilId, {
          content: 'The deadline moved to Friday.',
          recipient: 'role:critic',
          priority: 'urgent',
          senderName: 'Alice',
        });
      },
      { taskQueue: bench.harness.taskQueue, councilId: (councilId = `council-urgent-${Date.now()}`) },
    );

    expect(rejection).toBeInstanceOf(CouncilUserError);
    expect((rejection as Error).message).toContain('no expert has role "judge" in this council');
    expect(urgent).toMatchObject({ recipients: ['b', 'c'], audience: 'role:critic', priority: 'urgent' });
    // B read A's answer before the urgent message came; the urgent one is first all the same.
    const forB = bench.promptOf('Expert B');
    expect(forB.indexOf('The deadline moved')).toBeGreaterThan(0);
    expect(forB.indexOf('The deadline moved')).toBeLessThan(forB.indexOf('Expert A: answer'));
    expect(forB).toContain('### "Alice" (urgent, unread, human, clarification, to role "critic" only)');
    const forC = bench.promptOf('Expert C');
    expect(forC.indexOf('The deadline moved')).toBeLessThan(forC.indexOf('Expert A: answer'));
    expect(bench.promptOf('Expert D')).not.toContain('deadline');

    // The inboxes: each turn took its expert's waiting messages once; what came after waits still.
    const progress = await bench.harness.client.workflow.getHandle(councilId).query(councilProgressQuery, {});
    const idOf = (sender: string) => progress.messages.find((m) => m.sender === sender)?.id;
    const thinking = (id: string) =>
      progress.events.find((e) => e.kind === 'expert' && e.expertId === id && e.state === 'thinking');
    expect(thinking('b')).toMatchObject({ delivered: [idOf('a'), urgent?.id] });
    expect(thinking('d')).toMatchObject({ delivered: [idOf('a'), idOf('b'), idOf('c')] });
    expect(progress.inboxes).toEqual({
      a: [idOf('b'), idOf('c'), idOf('d')],
      b: [idOf('c'), idOf('d')],
      c: [idOf('d')],
      d: [],
    });
  });
});
