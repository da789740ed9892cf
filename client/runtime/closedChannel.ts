import { createRequire } from 'node:module';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type * as Grpc from '@grpc/grpc-js';

/** The gRPC library of the Temporal client itself (its dependency, not council's): the same copy. */
export const grpc = createRequire(require.resolve('@temporalio/client'))('@grpc/grpc-js') as typeof Grpc;

/**
 * A client connection's interceptors: the SDK's own retries, which stop once the connection is closed,
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
  const attempted = new WeakSet<object>();
  return [
    makeGrpcRetryInterceptor({
      ...retry,
      retryableDecider: (attempt, status) => !isClosed() && retry.retryableDecider(attempt, status),
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
