import { LIMITS } from '../../common/defaults';
import type { ParticipantRecord, RoundResult, SessionState } from '../../common/session';
import { cutWithNotice, jsonBytes, jsonStringBytes, shareOut } from '../../common/size';

// Byte bounds of what a session sends in commands: a participant's history (part of every activity
// input and of the continue-as-new input), the round result (an update result) and the carried
// state. Each is measured in JSON bytes (common/size.ts) and trimmed oldest first, counted, with a
// notice wherever a text is cut: a session never fails a workflow task for its size.

/**
 * Keeps a history within `maxBytes` (LIMITS.maxHistoryBytes, or what a prompt has room for): the oldest messages go first (counted in
 * `historyDropped`); a last message still over it is cut with a notice.
 */
export function boundHistory(record: ParticipantRecord, maxBytes: number = LIMITS.maxHistoryBytes): void {
  const sizes = record.history.map((message) => jsonBytes(message) + 1);
  let total = sizes.reduce((sum, size) => sum + size, 0);
  let drop = 0;
  while (total > maxBytes && drop < sizes.length - 1) {
    total -= sizes[drop] ?? 0;
    drop += 1;
  }
  if (drop > 0) {
    record.history.splice(0, drop);
    record.historyDropped = (record.historyDropped ?? 0) + drop;
  }
  const only = record.history.length === 1 ? record.history[0] : undefined;
  if (only && total > maxBytes) {
    const cut = cutWithNotice(
      only.content,
      Math.max(0, maxBytes - 256),
      (kept, all) => `\n\n[council: cut to ${kept} of ${all} bytes in this participant's history]`,
    );
    record.history[0] = { ...only, content: cut.text };
  }
}

/**
 * The round result within LIMITS.maxRoundResultBytes: answers over a fair share are shortened in the
 * result only, with a notice; the transcript and the workflow history hold them as recorded.
 */
export function boundRoundResult(result: RoundResult): RoundResult {
  const total = jsonBytes(result);
  if (total <= LIMITS.maxRoundResultBytes) return result;
  const contents = result.responses.map((response) => response.content);
  const overhead = total - contents.reduce((sum, text) => sum + jsonStringBytes(text), 0);
  const { texts, cut } = shareOut(
    contents,
    LIMITS.maxRoundResultBytes - overhead,
    (kept, all) =>
      `\n\n[council: shortened to ${kept} of ${all} bytes in this round result: ` +
      'the whole answer is in the session transcript and the workflow history]',
  );
  return {
    ...result,
    responses: result.responses.map((response, i) =>
      cut[i] ? { ...response, content: texts[i] ?? '', shortened: true } : response,
    ),
  };
}

/**
 * Trims `state` in place until `measure()` (the continue-as-new input it is part of) is within
 * LIMITS.maxCarriedStateBytes, oldest first and counted (`transcriptDropped`, `historyDropped`), in
 * this order: the transcript's entries before the latest round; the histories, largest first, down
 * to their last exchange; the rest of the histories; and only then the latest round's own entries
 * (one stays). The latest round is the record people read (`show`, the UI): the histories, which
 * hold copies of its answers, give way first.
 */
export function fitCarriedState(state: SessionState, measure: () => number): void {
  let size = measure();
  if (size <= LIMITS.maxCarriedStateBytes) return;
  const bucketOf = (items: number[]) => ({ items, drop: 0, total: items.reduce((sum, n) => sum + n, 0) });
  const transcript = bucketOf(state.transcript.map((e) => jsonBytes(e) + 1));
  const histories = state.participants.map((p) => bucketOf(p.history.map((m) => jsonBytes(m) + 1)));
  // The highest round, not the last entry's: a late answer of an earlier round may come after it.
  const latest = state.transcript.reduce((most, entry) => Math.max(most, entry.round), 0);
  const earlier = Math.max(
    0,
    state.transcript.findIndex((entry) => entry.round === latest),
  );
  const steps = [
    { buckets: [transcript], keep: transcript.items.length - earlier },
    { buckets: histories, keep: LAST_EXCHANGE },
    { buckets: histories, keep: 0 },
    { buckets: [transcript], keep: 1 },
  ];
  for (const { buckets, keep } of steps) {
    while (size > LIMITS.maxCarriedStateBytes) {
      const largest = buckets
        .filter((b) => b.items.length - b.drop > keep)
        .reduce<ReturnType<typeof bucketOf> | undefined>(
          (best, b) => (best && best.total >= b.total ? best : b),
          undefined,
        );
      if (!largest) break;
      const freed = largest.items[largest.drop] ?? 0;
      largest.drop += 1;
      largest.total -= freed;
      size -= freed;
    }
  }
  if (transcript.drop > 0) {
    state.transcript.splice(0, transcript.drop);
    state.transcriptDropped = (state.transcriptDropped ?? 0) + transcript.drop;
    state.transcriptChars = undefined;
  }
  histories.forEach((bucket, i) => {
    const record = state.participants[i];
    if (!record || bucket.drop === 0) return;
    record.history.splice(0, bucket.drop);
    record.historyDropped = (record.historyDropped ?? 0) + bucket.drop;
  });
}

/** A history's last exchange (the turn it was shown and its answer): the last part of it to go. */
const LAST_EXCHANGE = 2;

/** What each call of a round may take, so that a whole round stays within its byte budgets. */
export interface CallShares {
  /** Bytes of one prompt (turn and history; the system message aside). */
  prompt: number;
  /** Bytes of one answer, passed to the activity as its cap. */
  answer: number;
}

/** Equal shares of the round's prompt and answer budgets among its calls, each capped by the per-call bounds. */
export function callShares(calls: number): CallShares {
  const n = Math.max(1, calls);
  return {
    prompt: Math.min(
      LIMITS.maxTurnBytes + LIMITS.maxHistoryBytes,
      Math.floor(LIMITS.maxRoundPromptBytes / n),
    ),
    answer: Math.min(LIMITS.maxAnswerBytes, Math.floor(LIMITS.maxRoundAnswerBytes / n)),
  };
}
