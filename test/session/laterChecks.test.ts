import type { sessionWorkflow } from '../../workflows';
import { MultiParticipantSession } from '../../client/api/session';
import { participantSpecSchema } from '../../common/participants';
import { readAsTaken } from '../../common/laterChecks';
import { sendMessageSchema } from '../../common/sessionInputs';
import { addParticipantUpdate, sendMessageUpdate } from '../../common/sessionApi';
import { answerAsParticipants } from '../helpers/mockLlm';
import { useMockHarness } from '../helpers/mockHarness';

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
/** Over the stream timer's maximum, which came after sessions began: one may hold it. */
const longTimer = { name: 'Slow', role: 'panelist', model, timeouts: { firstByteMs: 2 ** 31 } } as const;

describe('checks added after sessions began', () => {
  it('hold for input arriving, and pass for input a run already took', () => {
    expect(participantSpecSchema.safeParse(longTimer).success).toBe(false);
    expect(readAsTaken(() => participantSpecSchema.safeParse(longTimer)).success).toBe(true);
    expect(sendMessageSchema.safeParse({ content: '\u200b' }).success).toBe(false);
    expect(readAsTaken(() => sendMessageSchema.safeParse({ content: '\u200b' })).success).toBe(true);
    // Back to checking once the read is done.
    expect(participantSpecSchema.safeParse(longTimer).success).toBe(false);
  });

  describe('in a session', () => {
    const bench = useMockHarness('later-checks', (mock) => answerAsParticipants(mock));

    it('a session that took such input before goes on; a new participant or round with it is refused', async () => {
      const { client, taskQueue } = bench.harness;
      // Started as a client before the checks did: straight to the server, past the library's checks.
      const sessionId = `later-checks-${Date.now()}`;
      const config = {
        strategy: 'broadcast',
        participants: [{ ...longTimer, name: 'A', timeouts: {} }, longTimer],
      };
      const handle = await client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
        workflowId: sessionId,
        taskQueue,
        args: [{ config: config as never }],
      });
      const session = await MultiParticipantSession.attach(client, sessionId);
      expect((await session.listParticipants()).map((p) => p.name)).toEqual(['A', 'Slow']);
      await expect(
        handle.executeUpdate(addParticipantUpdate, { args: [{ ...longTimer, name: 'Later' }] }),
      ).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/firstByteMs may be at most 2147483647 ms/) },
      });
      await expect(
        handle.executeUpdate(sendMessageUpdate, { args: [{ content: '\u200b' }] }),
      ).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/holds only invisible characters/) },
      });
      const round = await session.sendRound('user', 'Still there?', { participants: ['A'] });
      expect(round.responses.map((r) => [r.participantName, r.status])).toEqual([['A', 'ok']]);
      await session.close();
    });
  });
});
