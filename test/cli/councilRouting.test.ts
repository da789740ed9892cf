import { chatRequests, promptText, speakerOf, startMockLlm } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  holdAnswers,
  mockProviderEnv,
  runCli,
  startCli,
  startedId,
  stopStartedClis,
  waitFor,
} from './cli';

// Spawns the CLI and a worker: minutes on a busy 2-core machine.
jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council session send to a role, urgent (examples/council-groups.yaml)', () => {
  it("reaches the role's experts only, waits in their inboxes (show), and is read first", async () => {
    const held = await startMockLlm();
    const { seen, open } = holdAnswers(held);
    try {
      const env = clusterEnv('council-routing', mockProviderEnv(held));
      const run = startCli(['run', '-c', 'examples/council-groups.yaml', '--worker', '--json'], env);
      await waitFor('the first expert to be called', () => seen.length >= 1, { process: run });
      const id = startedId(run.output.stderr) ?? '';
      const unknown = await runCli(['session', 'send', id, 'x', '--to', 'role:judge', '--worker'], env);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain('no expert has role "judge" in this council');
      const note = 'The budget was cut by 20%.';
      const send = await runCli(
        ['session', 'send', id, note, '--to', 'role:critic', '--urgent', '--worker'],
        env,
      );
      expectSuccess(send);
      expect(send.stdout).toMatch(
        new RegExp(`^Added message \\S+, urgent to council ${id} for skeptic, auditor\\n$`),
      );

      const show = await runCli(['session', 'show', id, '--json', '--worker'], env);
      expectSuccess(show);
      const shown = JSON.parse(show.stdout) as { inboxes: Record<string, string[]> };
      const [messageId] = shown.inboxes.skeptic ?? [];
      expect(shown.inboxes).toEqual({ analyst: [], skeptic: [messageId], auditor: [messageId], planner: [] });
      open();

      const result = await run.done;
      expectSuccess(result);
      const json = JSON.parse(result.stdout) as { messages: Array<Record<string, unknown>> };
      expect(json.messages).toContainEqual(
        expect.objectContaining({ sender: 'human', recipients: ['skeptic', 'auditor'], priority: 'urgent' }),
      );
      const promptOf = (name: string) => {
        const entry = chatRequests(held).find((request) => speakerOf(request) === name);
        return entry ? promptText(entry) : '';
      };
      // The Skeptic read the analyst's answer too: the urgent note comes before it.
      const skeptic = promptOf('Skeptic');
      expect(skeptic.indexOf(note)).toBeGreaterThan(0);
      expect(skeptic.indexOf(note)).toBeLessThan(skeptic.indexOf('Cost Analyst: answer'));
      expect(promptOf('Auditor')).toContain(note);
      expect(promptOf('Migration Planner')).not.toContain(note);
    } finally {
      await held.stop();
    }
  });
});
