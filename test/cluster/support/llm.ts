import type { LLMock } from '@copilotkit/aimock';
import { speakerOf } from '../../helpers/mockLlm';

const FILLER = 'lorem ipsum dolor sit amet ';
/** About 600 KB: over the blob store's 256 KiB threshold; a few of them exceed the 2 MB payload limit. */
export const bigAnswer = (speaker: string) => `${speaker} says: ${FILLER.repeat(22_000)}`;
/** A run of the filler that only a stored big answer contains. */
export const BIG_MARK = FILLER.repeat(20);

/** What the mock is holding: calls that wait at the model until released, by speaker. */
export interface Gate {
  /** Speakers whose call is held now. */
  held(): string[];
  /** Lets the held calls of the speakers `which` picks answer; the others stay held. */
  release(which: (speaker: string) => boolean): void;
}

/**
 * Answers every chat request after `latencyMs`: speakers named Big* with {@link bigAnswer}, others
 * "NAME: answer N" (N unique in the run), usage 10 in / 5 out. Calls `hold(speaker, nth)` names wait
 * after their latency until released, each on its own: a test can let through the calls of the live
 * workers and never answer those of a worker it killed (an answer released to a dead connection is
 * one nobody received). aimock journals a call only once its answer is written.
 */
export function gatedAnswers(
  mock: LLMock,
  latencyMs: number,
  hold: (speaker: string, nth: number) => boolean,
): Gate {
  const waiting = new Map<string, Array<() => void>>();
  const perSpeaker = new Map<string, number>();
  let count = 0;
  mock.on(
    { predicate: () => true },
    async (request) => {
      const speaker = speakerOf({ body: request }) ?? 'unknown';
      const nth = (perSpeaker.get(speaker) ?? 0) + 1;
      perSpeaker.set(speaker, nth);
      if (hold(speaker, nth)) {
        await new Promise<void>((resolve) =>
          waiting.set(speaker, [...(waiting.get(speaker) ?? []), resolve]),
        );
      }
      count += 1;
      const content = speaker.startsWith('Big') ? bigAnswer(speaker) : `${speaker}: answer ${count}`;
      return { content, usage: { prompt_tokens: 10, completion_tokens: 5 } };
    },
    { chaos: { latencyMs }, chunkSize: 100_000 },
  );
  return {
    held: () => [...waiting.keys()],
    release(which) {
      for (const [speaker, resolvers] of [...waiting]) {
        if (!which(speaker)) continue;
        waiting.delete(speaker);
        for (const resolve of resolvers) resolve();
      }
    },
  };
}
