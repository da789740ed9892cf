import type { CouncilWorkflowResult } from '../../common/council';
import { LIMITS } from '../../common/defaults';
import { jsonBytes, jsonStringBytes, shareOut } from '../../common/size';

/**
 * The council's result within LIMITS.maxCouncilResultBytes (it is the workflow's result, a command
 * like any other): the oldest messages are left out first, then the outputs and the synthesis are
 * shortened to fair shares, each with a notice. `bounded` says what was done.
 */
export function boundCouncilResult(result: CouncilWorkflowResult): CouncilWorkflowResult {
  const budget = LIMITS.maxCouncilResultBytes;
  let size = jsonBytes(result);
  if (size <= budget) return result;
  const messages = [...(result.messages ?? [])];
  let messagesLeftOut = 0;
  while (size > budget && messages.length > 0) {
    const oldest = messages.shift();
    size -= oldest ? jsonBytes(oldest) + 1 : 0;
    messagesLeftOut += 1;
  }
  const bounded = {
    ...result,
    ...(result.messages && { messages }),
    bounded: { messagesLeftOut, textsShortened: 0 },
  };
  if (size <= budget) return bounded;
  const outputs = Object.values(result.outputs);
  const texts = [...outputs.map((output) => output.content), result.synthesis.content];
  const fixed = size - texts.reduce((sum, text) => sum + jsonStringBytes(text), 0) + 1024;
  const shared = shareOut(
    texts,
    budget - fixed,
    (kept, all) =>
      `\n\n[council: shortened to ${kept} of ${all} bytes in this result: the whole text is in the workflow history]`,
  );
  const shortened = Object.fromEntries(
    outputs.map((output, i) => [output.expertId, { ...output, content: shared.texts[i] ?? '' }]),
  );
  return {
    ...bounded,
    outputs: shortened,
    synthesis: { ...result.synthesis, content: shared.texts[outputs.length] ?? '' },
    bounded: { messagesLeftOut, textsShortened: shared.cut.filter(Boolean).length },
  };
}
