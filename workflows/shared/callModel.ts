import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  TimeoutFailure,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import { patched } from './patches';
import type { CallCharge } from '../../common/council';
import { LIMITS } from '../../common/defaults';
import { FailureType, SKIPPED_BY_PERSON } from '../../common/failures';
import type { ChatMessage, LlmRequest, LlmResponse } from '../../common/llm';
import { jsonBytes } from '../../common/size';
import type { ParticipantSpec } from '../../common/participants';
import { modelName } from '../../common/budget';
import type { BudgetGate } from './budget';
import { CALL_IDS_PATCH, callSummary, type CallIds, type CallSite } from './callIds';
import { callLlmOf } from './callProxy';

/** What one call ended with (an answer, or why there is none) and, under a budget, its charge. */
export type CallOutcome = (
  | { status: 'ok'; response: LlmResponse }
  | { status: 'failed'; error: { type: string; message: string } }
  | {
      status: 'skipped';
      error: { type: typeof SKIPPED_BY_PERSON | typeof FailureType.BudgetExhausted; message: string };
    }
) &
  CallCharge;

/**
 * A model call's own settings: the model, its sampling, retry policy and timeouts. A session
 * participant, an expert, a synthesizer and a selector all carry these; who is called is the
 * call's {@link CallSite}, not a participant record.
 */
export type ModelSettings = Pick<
  ParticipantSpec,
  'model' | 'temperature' | 'maxOutputTokens' | 'retry' | 'timeouts' | 'callAs'
>;

/** A strategy's own model (the selector): its settings and the name it goes by in the run. */
export type ModelCaller = ModelSettings & Pick<ParticipantSpec, 'name'>;

/** Cancellation scopes of the calls in flight, by participant name, so a person can skip one. */
export type InFlightCalls = Map<string, CancellationScope>;

/**
 * Patch id of the change that lets a cancelled run end as cancelled: a call cut short because its
 * whole run (council or session) was cancelled rethrows the cancellation instead of being recorded
 * as `skipped`, which now means only that a person skipped this one call. Histories recorded before
 * it replay on the path that recorded `skipped`.
 */
export const CANCELLED_RUN_PATCH = 'cancelled-run-ends-cancelled';

/**
 * Patch id of the change that asks a call again, as a new activity, when its attempts ran out on
 * lost workers: each worker killed or stopped while the call was in flight cost an attempt (a
 * heartbeat timeout), and the last one lost the answer.
 */
export const CALL_AGAIN_AFTER_WORKER_LOSS_PATCH = 'call-again-after-worker-loss';

/**
 * How many times one call is asked again after its attempts ran out on lost workers. Bounded: a
 * call that blocks every worker's event loop past its heartbeat timeout would be paid for forever.
 * Changing it changes the commands a run issues: it takes a new patch.
 */
export const MAX_CALLS_AFTER_WORKER_LOSS = 5;

/** How one call is made: where it stands (for its id), and the request's own settings. */
export interface CallOptions {
  site: CallSite;
  ids: CallIds;
  maxContextTokens?: number;
  /** The answer's cap for this call (a share of its round's budget); LIMITS.maxAnswerBytes when absent. */
  maxAnswerBytes?: number;
  responseFormat?: 'text' | 'json';
  inFlight?: InFlightCalls;
  /** The session's budget: the call reserves its worst case first, and is refused when it does not fit. */
  budget?: BudgetGate;
  /** Hears that the budget admitted the call (after any wait for a person), just before it is sent. */
  onAdmitted?: () => void;
}

/**
 * Every model call of a run (session participants, experts, synthesizers, reviewers, selectors):
 * an activity (a local one under `callAs: 'local'`, workflows/shared/callProxy.ts) with the call's
 * own retry policy and timeouts, asked again as a new activity when its attempts ran out on lost
 * workers (never a local call: it does not heartbeat; never under a budget). Never throws for the call's failure
 * (the caller records it and the round goes on); throws only the cancellation of the run itself.
 */
export async function callModel(
  settings: ModelSettings,
  messages: ChatMessage[],
  options: CallOptions,
): Promise<CallOutcome> {
  const name = options.site.participant;
  const request: LlmRequest = {
    model: settings.model,
    messages,
    temperature: settings.temperature,
    maxOutputTokens: settings.maxOutputTokens,
    maxContextTokens: options.maxContextTokens,
    maxAnswerBytes: options.maxAnswerBytes,
    responseFormat: options.responseFormat,
    // Only when set: the input of every other call stays as it was recorded.
    ...(settings.timeouts?.firstByteMs !== undefined && { firstByteMs: settings.timeouts.firstByteMs }),
    ...(settings.timeouts?.streamIdleMs !== undefined && { streamIdleMs: settings.timeouts.streamIdleMs }),
  };
  // The prompts are bounded where they are built; should one still pass the payload limit, the
  // call is recorded as failed rather than sent as a command the server refuses forever.
  const size = jsonBytes(request);
  if (size > LIMITS.payloadLimitBytes - LIMITS.requestEnvelopeBytes) {
    const message = `the request of ${name} is ${size} bytes, over Temporal's payload limit`;
    return { status: 'failed', error: { type: FailureType.PayloadTooLarge, message } };
  }
  // Reserved before the first await: a parallel fan-out reserves all its calls in one workflow task.
  // An asking budget may wait for a person here; a call that fits reserves before the wait all the same.
  const hold = options.budget?.asks
    ? await options.budget.admit(settings, messages, options.site)
    : options.budget?.reserve(settings, messages, options.site);
  if (typeof hold === 'string') {
    return { status: 'skipped', error: { type: FailureType.BudgetExhausted, message: hold } };
  }
  options.onAdmitted?.();
  // An id per call makes a reordering of calls a determinism error on replay, not a silent swap.
  const identity = patched(CALL_IDS_PATCH)
    ? { activityId: options.ids.next(options.site), summary: callSummary(options.site) }
    : {};
  const downgradedTo = typeof hold === 'object' ? hold.downgradedTo : undefined;
  const sent = downgradedTo ? { ...request, model: downgradedTo } : request;
  const callLlm = callLlmOf(settings, identity);
  let { outcome, workerLost } = await callInScope(name, () => callLlm(sent), options.inFlight);
  // A budget reserved the worst case of the attempts its retry policy allows: no more are made.
  for (
    let again = 0;
    workerLost &&
    !options.budget &&
    again < MAX_CALLS_AFTER_WORKER_LOSS &&
    patched(CALL_AGAIN_AFTER_WORKER_LOSS_PATCH);
    again++
  ) {
    // `#` is in no participant name or expert id: `A#again1` can be no other call's id (`A.2` could).
    const callAgain = callLlmOf(settings, {
      ...identity,
      ...(identity.activityId !== undefined && { activityId: `${identity.activityId}#again${again + 1}` }),
    });
    ({ outcome, workerLost } = await callInScope(name, () => callAgain(sent), options.inFlight));
  }
  if (!hold || !options.budget) return outcome;
  const costUsd = options.budget.settle(hold, outcome).usd;
  return { ...outcome, costUsd, ...(downgradedTo && { downgradedTo: modelName(downgradedTo) }) };
}

/**
 * Runs the activity in a scope a user can cancel (skip); a failure becomes an outcome. A cancellation
 * of the run itself (the scope around this call) is thrown on, so the run ends as cancelled.
 */
async function callInScope(
  name: string,
  call: () => Promise<LlmResponse>,
  inFlight: InFlightCalls | undefined,
): Promise<{ outcome: CallOutcome; workerLost: boolean }> {
  const scope = new CancellationScope();
  inFlight?.set(name, scope);
  try {
    return { outcome: { status: 'ok', response: await scope.run(call) }, workerLost: false };
  } catch (error) {
    if (isCancellation(error)) {
      // Only the call's own scope cancelled is a skip; the caller's scope cancelled is the whole run.
      if (CancellationScope.current().consideredCancelled && patched(CANCELLED_RUN_PATCH)) throw error;
      const outcome: CallOutcome = {
        status: 'skipped',
        error: { type: SKIPPED_BY_PERSON, message: `${name} was skipped` },
      };
      return { outcome, workerLost: false };
    }
    return {
      outcome: { status: 'failed', error: describeFailure(error) },
      workerLost: lastAttemptLost(error),
    };
  } finally {
    inFlight?.delete(name);
  }
}

/**
 * Whether a call's last attempt ended with its worker gone: a heartbeat timeout (the worker killed,
 * stopped by Ctrl-C, or its event loop blocked past the timeout), not an answer or error of the model.
 */
function lastAttemptLost(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType === TimeoutType.HEARTBEAT
  );
}

function describeFailure(error: unknown): { type: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  }
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Unknown', message: String(cause) };
}
