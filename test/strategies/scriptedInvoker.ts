import type { ParticipantRole, ParticipantSpec } from '../../common/participants';
import type { ParticipantResponse } from '../../common/session';

/** A participant spec for pure strategy tests. */
export function spec(name: string, role: ParticipantRole = 'panelist', priority = 0): ParticipantSpec {
  return { name, role, priority, model: { provider: 'openai', model: 'test-model' } };
}

/** One recorded call of the scripted invoker. */
export interface ScriptedCall {
  name: string;
  shown: string[];
  startedAt: number;
}

/**
 * An invoker that answers "<name> says hi" after a microtask, fails the names in `failing`, and
 * records the order of calls and what each call was shown. `tick` counts calls begun, so two calls
 * begun before either finished share a phase.
 */
export function scriptedInvoker(failing: readonly string[] = []) {
  const calls: ScriptedCall[] = [];
  let started = 0;
  let finished = 0;
  const invoke = async (participant: ParticipantSpec, shown: readonly ParticipantResponse[]) => {
    calls.push({ name: participant.name, shown: shown.map((r) => r.participantName), startedAt: finished });
    started += 1;
    await Promise.resolve();
    finished += 1;
    const failed = failing.includes(participant.name);
    const response: ParticipantResponse = {
      participantName: participant.name,
      participantRole: participant.role,
      content: failed ? '' : `${participant.name} says hi`,
      tokenUsage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      status: failed ? 'failed' : 'ok',
      error: failed ? { type: 'ProviderServerError', message: 'boom' } : undefined,
      truncated: false,
      round: 1,
      shown: shown.map((r) => r.participantName),
    };
    return response;
  };
  return { invoke, calls, startedCount: () => started };
}
