import { LIMITS } from '../../common/defaults';
import { callShares } from '../../workflows/session/bounds';

/** The server fails a running workflow task once more than this many bytes of events wait beside it. */
const SERVER_BUFFERED_EVENT_BYTES = 2 * 1024 * 1024;

describe("a session round's calls share its budgets", () => {
  it.each([1, 3, 8, 9, 16, 24, 32])(
    '%i calls: their answers together stay under what the server buffers beside a running task',
    (calls) => {
      const { answer, prompt } = callShares(calls);
      // Every answer of a broadcast may come in while one workflow task runs; with room for each
      // result's JSON framing and the events around it.
      expect(answer * calls + calls * 4096).toBeLessThan(SERVER_BUFFERED_EVENT_BYTES);
      expect(answer).toBeLessThanOrEqual(LIMITS.maxAnswerBytes);
      expect(prompt * calls).toBeLessThanOrEqual(LIMITS.maxRoundPromptBytes);
    },
  );
});
