import type { SessionState } from '../../common/session';
import type { ActiveRound } from './round';

/** Names joined for one line, the count beyond the first few, so the line stays short. */
function names(list: readonly string[], max = 6): string {
  return list.length <= max
    ? list.join(', ')
    : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

/**
 * The Web UI's "current details" of a session: the round in progress and who is answering, or
 * that it waits for a message. Shown by `setCurrentDetails`, which issues no command: histories
 * recorded before it replay unchanged.
 */
export function sessionDetails(state: SessionState, active: ActiveRound | undefined): string {
  const tokens = `${state.usage.totalTokens} tokens`;
  if (state.closed) return `Closed after ${state.round} round(s) · ${tokens}`;
  if (!active) {
    const people = state.participants.map((p) => p.spec.name);
    return (
      `Idle after round ${state.round} · ${state.config.strategy} · ` +
      `${people.length ? names(people) : 'no participants yet'} · ${tokens}: waiting for the next message`
    );
  }
  const waiting = state.ledger?.waiting;
  if (waiting) {
    return (
      `Round ${active.round} · waiting-budget: ${waiting.participant}'s call may take ${waiting.needed.tokens} ` +
      `tokens, $${waiting.needed.usd.toFixed(6)}, which the budget cannot cover; ` +
      `\`council budget raise\` or \`council budget stop\` before ${waiting.until}`
    );
  }
  const by = new Map<string, string[]>();
  for (const [name, callState] of Object.entries(active.states)) {
    by.set(callState, [...(by.get(callState) ?? []), name]);
  }
  const parts = (['thinking', 'waiting', 'done', 'failed', 'skipped'] as const).flatMap((key) => {
    const who = by.get(key);
    const label = key === 'thinking' ? 'answering' : key;
    return who?.length ? [`${label}: ${names(who)}`] : [];
  });
  return `Round ${active.round} (${state.config.strategy}) · ${parts.join(' · ')}`;
}
