import type { LLMock } from '@copilotkit/aimock';
import { startCouncil } from '../../client/api/council';
import { resynthesizeCouncil } from '../../client/api/resynthesize';
import { councilContextSchema } from '../../common/council';
import { zodProblem } from '../../common/validation';
import { speakerOf } from '../helpers/mockLlm';
import { council, expert, requestsOf, userPrompt } from './support';
import { useCouncilBench } from './bench';

/** How long each speaker takes to answer; the others answer after 100 ms. */
let delays: Record<string, number> = {};

/** Answers "NAME: answer" after the speaker's delay: one slow expert is a straggler. */
function answerWithDelays(mock: LLMock): void {
  mock.on({ predicate: () => true }, async (request) => {
    const speaker = speakerOf({ body: request }) ?? 'unknown';
    await new Promise((resolve) => setTimeout(resolve, delays[speaker] ?? 100));
    return { content: `${speaker}: answer`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
  });
}

describe('council quorum rounds and deadlines on the real dev server', () => {
  const bench = useCouncilBench('council-quorum', answerWithDelays);

  it('quorum 2 of 3: the round closes with two answers, the slow one is late and the synthesis lacks it', async () => {
    delays = { 'Expert C': 5_000 };
    const result = await bench.run(
      council('parallel', [expert('a'), expert('b'), expert('c')], { quorum: 2, enableMessaging: true }),
    );

    const [synthesis] = requestsOf(bench.mock, 'Synthesizer');
    expect(synthesis && userPrompt(synthesis)).toContain('Expert A: answer');
    expect(synthesis && userPrompt(synthesis)).toContain('Expert B: answer');
    expect(synthesis && userPrompt(synthesis)).not.toContain('Expert C');
    // The late answer is kept: in the outputs and the transcript, marked late.
    expect(result.outputs.c).toMatchObject({ status: 'done', content: 'Expert C: answer', late: true });
    expect(result.outputs.a?.late).toBeUndefined();
    expect(result.outputs.b?.late).toBeUndefined();
    const late = result.messages?.filter((message) => message.late === true).map((m) => m.sender);
    expect(late).toEqual(['c']);
    expect(result.messages).toHaveLength(3);
    expect(result.synthesis.status).toBe('done');

    // A re-synthesis, once every answer is in, reads the late one as any other: no expert is asked again.
    bench.mock.clearRequests();
    const again = await resynthesizeCouncil(bench.harness.client, result.councilId, {
      taskQueue: bench.harness.taskQueue,
    });
    const calls = requestsOf(bench.mock, 'Synthesizer');
    expect(bench.mock.getRequests()).toHaveLength(calls.length);
    expect(calls[0] && userPrompt(calls[0])).toContain('Expert C: answer');
    expect(again.outputs.c?.late).toBeUndefined();
  });

  it('a deadline closes the round while an expert hangs; its answer arrives late', async () => {
    delays = { 'Expert B': 8_000 };
    const started = Date.now();
    const result = await bench.run(council('parallel', [expert('a'), expert('b')], { deadlineMs: 1_500 }));

    const [synthesis] = requestsOf(bench.mock, 'Synthesizer');
    expect(synthesis && userPrompt(synthesis)).toContain('Expert A: answer');
    expect(synthesis && userPrompt(synthesis)).not.toContain('Expert B');
    expect(result.outputs.b).toMatchObject({ status: 'done', content: 'Expert B: answer', late: true });
    expect(result.outputs.a?.late).toBeUndefined();
    // The workflow waited for the late call before it returned.
    expect(Date.now() - started).toBeGreaterThanOrEqual(8_000);
  });

  it('refuses a quorum larger than the council, and a quorum outside parallel mode', async () => {
    const experts = [expert('a'), expert('b')];
    const tooMany = councilContextSchema.safeParse(council('parallel', experts, { quorum: 3 }));
    expect(tooMany.success ? '' : zodProblem(tooMany.error)).toContain(
      'quorum 3 is more than the 2 expert(s) in activeExperts',
    );
    const sequential = councilContextSchema.safeParse(council('sequential', experts, { deadlineMs: 1_000 }));
    expect(sequential.success ? '' : zodProblem(sequential.error)).toContain(
      'deadlineMs applies to parallel mode only',
    );
    await expect(
      startCouncil(bench.harness.client, council('parallel', experts, { quorum: 3 }), {
        taskQueue: bench.harness.taskQueue,
      }),
    ).rejects.toThrow(/quorum 3 is more than the 2 expert/);
  });
});
