import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { LIMITS } from '../common/defaults';
import { FailureType } from '../common/failures';
import { llmRequestSchema, type LlmRequest, type LlmResponse } from '../common/llm';
import { zodProblem } from '../common/validation';
import { classifyProviderError } from './classify';
import { ClientResolver, type ProviderClients, type WorkerEnv } from './clients';
import { startHeartbeats } from './heartbeat';
import { checkSubjects, loadProviderPolicy, type ProviderPolicy } from './policy';
import { StreamedText } from './progress';
import type { AdapterCall, ProviderResult } from './providers/common';
import { adapterOf } from './providers/registry';
import type { LlmActivities } from './types';
import { SecretRegistry } from './redact';
import { releaseStickinessOnRetry, workerClient } from './stickyRelease';
import { fitsUncounted, trimHistory } from './trimHistory';
import { createWebhookActivities } from './webhook';
import { requestPeriodGrant } from './periodGrant';

/** Settings of the LLM activities besides the clients. */
export interface LlmActivityOptions {
  /** Where keys named by a participant's `apiKeyEnv` are read; `process.env` when omitted. */
  env?: WorkerEnv;
  /** Period of the heartbeat timer, which runs for the whole call; see {@link startHeartbeats}. */
  heartbeatIntervalMs?: number;
  /** Where keys may go; read from `env` by {@link loadProviderPolicy} when omitted. */
  policy?: ProviderPolicy;
}

/**
 * Builds the LLM activities over injected clients. Reads the provider policy (and its file, if one is
 * named) here, once, and throws if it is invalid; no other I/O until an activity runs. Clients for
 * participants with their own baseURL/apiKeyEnv are built on first use and kept for the worker's life.
 */
export function createLlmActivities(
  clients: ProviderClients,
  options: LlmActivityOptions = {},
): LlmActivities {
  const env = options.env ?? process.env;
  const policy = options.policy ?? loadProviderPolicy(env);
  const secrets = new SecretRegistry();
  // The policy is checked where the client for a baseURL + key is chosen: no request can pass it.
  const resolver = new ClientResolver(clients, env, secrets, (to) => policy.enforce(to));
  return {
    ...createWebhookActivities(policy, env),
    requestPeriodGrant,
    async checkProviderPolicy(subjects) {
      return checkSubjects(policy, env, subjects);
    },
    async callLlm(input: LlmRequest): Promise<LlmResponse> {
      const request = validated(input);
      const { cancellationSignal } = Context.current();
      const servedBy = workerIdentity(Context.current());
      const released = releaseStickinessOnRetry(Context.current());
      // Watchers read the text so far from the heartbeats (common/stream.ts): scrubbed like the answer.
      const text = new StreamedText(Context.current().info.attempt, secrets);
      // The timers start before the token count, which takes seconds for a large history: the count
      // yields between pieces, so the timer beats through it.
      const heartbeats = startHeartbeats(options.heartbeatIntervalMs, () => text.details());
      try {
        const { messages, droppedMessages } = fitsUncounted(request.messages, request.maxContextTokens)
          ? { messages: request.messages, droppedMessages: 0 }
          : await trimHistory(request.messages, request.maxContextTokens);
        const call: AdapterCall = {
          request,
          messages,
          signal: cancellationSignal,
          onChunk: heartbeats.onChunk,
          onText: (delta) => text.append(delta),
        };
        // A model can echo a key it was shown or guessed: the answer is scrubbed like an error is,
        // then capped, so the cap holds for what is stored.
        const result = await dispatch(resolver, call, servedBy);
        const scrubbed = {
          ...result,
          content: secrets.redact(result.content),
          model: secrets.redact(result.model),
        };
        // A retried answer says which attempt it is: a budget charges the earlier ones conservatively.
        const { attempt } = Context.current().info;
        // The release must land before this completion schedules the session's next task.
        await released;
        return {
          ...capAnswer(scrubbed, request.maxAnswerBytes),
          droppedMessages,
          ...(attempt > 1 && { attempt }),
          ...(servedBy && { servedBy }),
        };
      } catch (error) {
        // Rethrowing the CancelledFailure lets the worker report the attempt as cancelled, not failed.
        if (cancellationSignal.aborted) throw cancellationSignal.reason ?? error;
        throw error instanceof ApplicationFailure
          ? error
          : classifyProviderError(error, request.model.provider, secrets);
      } finally {
        heartbeats.stop();
      }
    },
  };
}

/** The provider's adapter makes the call, with the client for this participant's model. */
function dispatch(resolver: ClientResolver, call: AdapterCall, worker?: string): Promise<ProviderResult> {
  const spec = call.request.model;
  return adapterOf(spec.provider).call(resolver.client(spec, worker), call);
}

/**
 * The identity of the worker running this activity (its `identity` option, `pid@host` by default).
 * The activity Context has no field for it, but carries the worker's own client, built with it.
 * A MockActivityEnvironment has no client, so no identity: the result then says nothing.
 */
function workerIdentity(context: Context): string | undefined {
  return workerClient(context)?.options.identity;
}

/**
 * An answer over `max` (the request's maxAnswerBytes, at most LIMITS.maxAnswerBytes) is cut here, with a notice, so the activity's result always
 * fits a payload: otherwise the server refuses the completion and the call is retried (and paid)
 * again, to the same end.
 */
export function capAnswer(result: ProviderResult, max: number = LIMITS.maxAnswerBytes): ProviderResult {
  const total = Buffer.byteLength(result.content, 'utf8');
  if (total <= max) return result;
  const notice = `\n\n[council: answer cut at ${max} bytes of ${total}: council carries at most ${max} bytes of one answer]`;
  const kept = Buffer.from(result.content, 'utf8').subarray(0, max - Buffer.byteLength(notice));
  // A cut inside a multi-byte character decodes to U+FFFD; drop it.
  const text = kept.toString('utf8').replace(/\uFFFD$/, '');
  return { ...result, content: text + notice, truncated: true };
}

/** Activity input is an edge: a malformed request fails once, with every issue named, instead of retrying. */
function validated(input: LlmRequest): LlmRequest {
  const parsed = llmRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.create({
    type: FailureType.InvalidRequest,
    message: `invalid LLM request: ${zodProblem(parsed.error)}`,
    nonRetryable: true,
  });
}
