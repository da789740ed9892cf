import { createRequire } from 'node:module';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type * as Grpc from '@grpc/grpc-js';

/** The gRPC library of the Temporal client itself (its dependency, not council's): the same copy. */
export const grpc = createRequire(require.resolve('@temporalio/client'))('@grpc/grpc-js') as typeof Grpc;

/**
 * Attempts of a gRPC call whose server is unavailable: the SDK's default 10 last about 15-20 s, less
 * than a cluster's server may take to come back, and a client waiting on a round then gave up with
 * "14 UNAVAILABLE" while the round went on. At the SDK's 5 s ceiling between attempts, 30 last about
 * 2 minutes. A closed connection stops them at once; an embedded server's loss ends them (serverLoss.ts).
 */
export const UNAVAILABLE_SERVER_ATTEMPTS = 30;

/**
 * A client connection's interceptors: the SDK's own retries (an unavailable server's for longer,
 * UNAVAILABLE_SERVER_ATTEMPTS; other statuses as the SDK does), which stop once the connection is closed,
 * and one that keeps a retry scheduled before the close off the closed channel. Closing a connection
 * ends its calls in flight with a status the SDK retries from a timer; on the closed channel that
 * retry threw out of the timer and ended the application (SDK 1.24: a call waiting on a round or a
 * council when `Council.close()` ran). A call in flight at the close now rejects, and so does a call
 * made after it (the closed channel refuses it). A retry already scheduled is given a call that never
 * answers: the SDK's retry interceptor cannot end a call whose first attempt brought no message
 * without throwing (it calls a callback only a message sets), so that one call's promise stays
 * pending rather than ending the process. A retry is told from a new call by its options: the SDK's
 * retry interceptor passes the first attempt's on.
 */
export function closableInterceptors(isClosed: () => boolean): Grpc.Interceptor[] {
  const retry = defaultGrpcRetryOptions();
  const unavailable = defaultGrpcRetryOptions({ maxAttempts: UNAVAILABLE_SERVER_ATTEMPTS });
  const attempted = new WeakSet<object>();
  return [
    makeGrpcRetryInterceptor({
      ...retry,
      retryableDecider: (attempt, status) =>
        !isClosed() &&
        (status.code === grpc.status.UNAVAILABLE ? unavailable : retry).retryableDecider(attempt, status),
    }),
    (options, nextCall) => {
      const again = attempted.has(options);
      attempted.add(options);
      return again && isClosed() ? silentCall() : new grpc.InterceptingCall(nextCall(options));
    },
  ];
}

/** A call that reaches no channel and never answers. */
function silentCall(): Grpc.InterceptingCall {
  const nowhere = {
    cancelWithStatus() {},
    getPeer: () => '',
    start() {},
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {},
    halfClose() {},
    getAuthContext: () => ({}),
  } as unknown as Grpc.InterceptingCall;
  return new grpc.InterceptingCall(nowhere, { start() {}, sendMessage() {}, halfClose() {}, cancel() {} });
}
