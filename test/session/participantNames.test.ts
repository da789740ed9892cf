import type { Client } from '@temporalio/client';
import { validateConfig } from '../../client/api/config';
import { MultiParticipantSession } from '../../client/api/session';
import { CouncilUserError } from '../../common/userError';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const noClient = {} as Client;

// A participant named "A " beside "A" was answered for by "A" when addressed as "A ", and one named
// "selector", "user" or "system" could not be told apart from what the transcript already names so.
describe('session participant names the transcript could not tell apart', () => {
  const panel = (...names: string[]) => ({
    strategy: 'broadcast' as const,
    participants: names.map((name) => ({ name, role: 'panelist' as const, model })),
  });

  it('are refused when a session starts, before anything runs', async () => {
    await expect(MultiParticipantSession.create(noClient, panel('A', 'A '))).rejects.toThrow(
      new CouncilUserError(
        'invalid session config: participants[1].name: name "A " starts or ends with white space: remove it',
      ),
    );
    for (const reserved of ['selector', 'User', 'SYSTEM']) {
      await expect(MultiParticipantSession.create(noClient, panel('Ada', reserved))).rejects.toThrow(
        new RegExp(`^invalid session config: participants\\[1\\]\\.name: name "${reserved}" is reserved`),
      );
    }
  });

  it('are refused when a participant joins, before the update is sent', async () => {
    const sent: unknown[] = [];
    const session = Object.create(MultiParticipantSession.prototype) as MultiParticipantSession;
    Object.assign(session, {
      openedHandle: { executeUpdate: (...args: unknown[]) => sent.push(args) },
      checkOpen: () => undefined,
    });
    await expect(session.addParticipant(' Bob', model, 'panelist')).rejects.toThrow(
      /starts or ends with white space/,
    );
    await expect(session.addParticipantWithPriority('user', model, 'panelist', 1)).rejects.toThrow(
      /is reserved/,
    );
    // Checked whole before it is sent: an oversized system prompt went through the payload codec,
    // which stored it in the blob store before the refusal; a name that is no string, a TypeError.
    const prompt = 'p'.repeat(3 * 1024 * 1024);
    // The participant is named, and the hint says what to do, as a config's errors do.
    await expect(session.addParticipant('Ann', model, 'panelist', { systemPrompt: prompt })).rejects.toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^invalid participant "Ann": systemPrompt: /),
        hint: 'fix the fields named',
      }),
    );
    const unknownProvider = { provider: 'google', model: 'x' } as unknown as typeof model;
    await expect(session.addParticipant('Ann', unknownProvider, 'panelist')).rejects.toThrow(
      /^invalid participant "Ann": model\.provider: /,
    );
    await expect(session.addParticipant(42 as unknown as string, model, 'panelist')).rejects.toThrow(
      /^invalid participant: name: /,
    );
    expect(sent).toEqual([]);
  });

  it('are refused by `config check`, with the path of each', () => {
    expect(() => validateConfig(panel('selector', 'B '))).toThrow(
      /participants\[0\]\.name: name "selector" is reserved.*participants\[1\]\.name: name "B " starts or ends/,
    );
    expect(() => validateConfig(panel('Ada', 'Selector Bot', 'users'))).not.toThrow();
  });
});
