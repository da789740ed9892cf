import type { LlmResponse } from '../../common/llm';
import type { ParticipantRole, ParticipantSpec } from '../../common/participants';
import type { StrategySettings } from '../../common/selector';
import type { ParticipantResponse, TranscriptEntry } from '../../common/session';
import type { CallOutcome } from '../../workflows/shared/callModel';
import type { CallPurpose, RoundSeam } from '../../workflows/strategies';

/** A participant spec for pure strategy tests. */
export function spec(name: string, role: ParticipantRole = 'panelist', priority = 0): ParticipantSpec {
  return { name, role, priority, model: { provider: 'openai', model: 'test-model' } };
}

/** One recorded call of the scripted invoker. */
export interface ScriptedCall {
  name: string;
  shown: string[];
  startedAt: number;
  /** The call's phase and kind when it is not a plain answer, and what it was asked of "the question". */
  phase?: string;
  kind?: string;
  asked: string;
}

/**
 * An invoker that answers "<name> says hi" (or `answers[name]`, for a call with a purpose) after a
 * microtask, fails the names in `failing`, and records the order of calls and what each call was
 * shown and asked. `tick` counts calls begun, so two calls begun before either finished share a phase.
 */
export function scriptedInvoker(failing: readonly string[] = [], answers: Record<string, string> = {}) {
  const calls: ScriptedCall[] = [];
  let started = 0;
  let finished = 0;
  const invoke = async (
    participant: ParticipantSpec,
    shown: readonly ParticipantResponse[],
    purpose: CallPurpose = {},
  ) => {
    calls.push({
      name: participant.name,
      shown: shown.map((r) => r.participantName),
      startedAt: finished,
      ...(purpose.phase && { phase: purpose.phase }),
      ...(purpose.kind && { kind: purpose.kind }),
      asked: purpose.ask?.('the question') ?? 'the question',
    });
    started += 1;
    await Promise.resolve();
    finished += 1;
    const failed = failing.includes(participant.name);
    const response: ParticipantResponse = {
      participantName: participant.name,
      participantRole: participant.role,
      content: failed ? '' : ((purpose.phase && answers[participant.name]) ?? `${participant.name} says hi`),
      tokenUsage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      status: failed ? 'failed' : 'ok',
      error: failed ? { type: 'ProviderServerError', message: 'boom' } : undefined,
      truncated: false,
      round: 1,
      shown: shown.map((r) => r.participantName),
      ...(purpose.kind && { kind: purpose.kind }),
    };
    return response;
  };
  return { invoke, calls, startedCount: () => started };
}

/** One recorded call of a strategy's own model (the selector). */
export interface ScriptedModelCall {
  id: string;
  prompt: string;
}

/**
 * A round's seam with no server: the transcript as a plain array (answers are not added to it), the
 * memory in a variable, and a model of the strategy's own that answers from `answers` in turn
 * (a string, or `null` for a call that fails), 3 tokens a call. `stop()` is a person's stop.
 */
export function scriptedSeam(
  options: {
    answers?: ReadonlyArray<string | null>;
    settings?: StrategySettings;
    memory?: unknown;
    transcript?: TranscriptEntry[];
    round?: number;
    /** False: every `patched()` answers false, as when replaying a round recorded before a patch. */
    patched?: boolean;
  } = {},
) {
  const answers = [...(options.answers ?? [])];
  const modelCalls: ScriptedModelCall[] = [];
  const notes: string[] = [];
  let memory = options.memory;
  let stopped = false;
  const round = options.round ?? 1;
  const seam: RoundSeam = {
    round,
    message: 'the question',
    transcript: options.transcript ?? [],
    settings: options.settings ?? {},
    memory: { read: () => memory, write: (value) => (memory = JSON.parse(JSON.stringify(value))) },
    callModel: async (_caller, messages, call): Promise<CallOutcome> => {
      modelCalls.push({
        id: `r${round}.${call.phase}.${call.label}`,
        prompt: messages.map((m) => m.content).join('\n'),
      });
      await Promise.resolve();
      const answer = answers.shift();
      if (answer === null || answer === undefined) {
        return { status: 'failed', error: { type: 'ProviderServerError', message: 'boom' } };
      }
      return {
        status: 'ok',
        response: {
          content: answer,
          tokenUsage: { inputTokens: 2, outputTokens: 1, totalTokens: 3 },
          stopReason: 'stop',
          truncated: false,
          model: 'selector-model',
          droppedMessages: 0,
        } satisfies LlmResponse,
      };
    },
    note: (content) => notes.push(content),
    stopRequested: () => stopped,
    patched: () => options.patched ?? true,
  };
  return { seam, modelCalls, notes, memory: () => memory, stop: () => (stopped = true) };
}
