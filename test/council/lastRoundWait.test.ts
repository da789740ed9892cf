import { sendHumanMessage, startCouncil } from '../../client/api/council';
import type { ExecutionContext } from '../../client/api/councilTypes';
import { readCouncilProgress } from '../../client/api/councilRead';
import type { CouncilWorkflowResult } from '../../common/council';
import { waitFor } from '../helpers/wait';
import { useCouncilBench } from './bench';
import { council, expert, roundOf, scriptedCouncil, type Script } from './support';

// `awaitHumanBetweenRounds` on the real dev server: a person is waited for between rounds, not
// after the last one, where only the synthesis follows (patch `last-round-wait`). The wait is an
// hour: a council that waits where it should not is caught waiting, never timed out.
const HOUR = { timeoutMs: 3_600_000 };

/**
 * Runs a council, answering every wait for a person with a message; returns the rounds after which
 * it waited. A wait after `lastRound` (or later) ends the run (terminated) and is returned too.
 */
async function waitsOf(
  bench: ReturnType<typeof useCouncilBench>,
  context: ExecutionContext,
  lastRound: number,
): Promise<number[]> {
  const { client, taskQueue } = bench.harness;
  const councilId = await startCouncil(client, context, { taskQueue });
  const handle = client.workflow.getHandle(councilId);
  const waits: number[] = [];
  await waitFor(
    `council ${councilId} to complete`,
    async () => {
      const progress = await readCouncilProgress(client, councilId);
      if (progress.done) return true;
      if (progress.status !== 'awaiting-human' || waits.includes(progress.round)) return false;
      waits.push(progress.round);
      if (progress.round >= lastRound) {
        await handle.terminate('waited after its last round');
        return true;
      }
      await sendHumanMessage(client, councilId, { content: `Note after round ${progress.round}.` });
      return false;
    },
    90_000,
  );
  if (waits.at(-1) !== lastRound) {
    const result = (await handle.result()) as CouncilWorkflowResult;
    expect(result.synthesis.status).toBe('done');
  }
  return waits;
}

/** Position turns (their prompt asks for a STANCE line): apart in round 1, agreed from round 3 on. */
const stances: Script = (speaker, request) => {
  if (!JSON.stringify(request.messages).includes('End your answer with one line: STANCE')) return undefined;
  const round = roundOf({ body: request } as Parameters<typeof roundOf>[0]) ?? 0;
  const position = round === 1 ? speaker : 'adopt it';
  const stance = `STANCE: {"position": "${position}", "confidence": 0.9}`;
  return { content: `${speaker} argues.\n${stance}`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
};

describe('awaitHumanBetweenRounds waits between rounds, not after the last one', () => {
  const bench = useCouncilBench('council-last-round-wait', (mock) => scriptedCouncil(mock, stances));
  const two = [expert('a'), expert('b')];

  it('a phased debate (positions, critiques) waits after its positions only', async () => {
    const context = council('adversarial', two, { debateRounds: 1, awaitHumanBetweenRounds: HOUR });
    expect(await waitsOf(bench, context, 2)).toEqual([1]);
  });

  it('a debate that converges in its second round of positions waits no more after it', async () => {
    const context = council('adversarial', two, {
      debateRounds: 3,
      convergence: { threshold: 0.6 },
      awaitHumanBetweenRounds: HOUR,
    });
    expect(await waitsOf(bench, context, 3)).toEqual([1, 2]);
  });

  it('a debate turn by turn waits after every turn but the last', async () => {
    const context = council('adversarial', two, {
      debateRounds: 2,
      debateStyle: 'turns',
      awaitHumanBetweenRounds: HOUR,
    });
    expect(await waitsOf(bench, context, 4)).toEqual([1, 2, 3]);
  });

  it('a sequential council waits after every expert but the last', async () => {
    const context = council('sequential', [...two, expert('c')], { awaitHumanBetweenRounds: HOUR });
    expect(await waitsOf(bench, context, 3)).toEqual([1, 2]);
  });

  it('a council of one round (parallel) still waits after it: a person’s only say before the synthesis', async () => {
    const context = council('parallel', two, { awaitHumanBetweenRounds: HOUR });
    expect(await waitsOf(bench, context, 2)).toEqual([1]);
  });
});
