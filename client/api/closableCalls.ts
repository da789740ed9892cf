import type { Connection } from '@temporalio/client';
import { linkedSignal } from '../../common/linkedSignal';
import { CouncilUserError } from '../../common/userError';

/**
 * A Council was closed: a call made on it after, or one it was waiting on when it closed (the message
 * and hint then say which run goes on, and how to follow it again).
 */
export class CouncilClosedError extends CouncilUserError {
  override readonly name: string = 'CouncilClosedError';
  constructor(
    message = 'this Council is closed',
    hint = 'open another with Council.local() or Council.connect()',
    options?: { cause?: unknown },
  ) {
    super(message, hint, options);
  }
}

/** Whether `error`, or one of its causes (the SDK wraps what a call throws), is a CouncilClosedError. */
export function closedCouncilIn(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1, current = current.cause) {
    if (current instanceof CouncilClosedError) return true;
  }
  return false;
}

/**
 * The caller's connection as a Council.connect() client uses it: each call of its workflow service
 * is made under a signal that aborts when `closed` does (Council.close()), and rejects with
 * {@link CouncilClosedError} at once; a call made after the close is refused with it. The call itself
 * is cancelled (gRPC's CANCELLED, which the SDK does not retry): it used to go on waiting, and once
 * its owner closed the connection, the SDK's retry of it threw out of a timer and ended the process
 * (SDK 1.24). A retry the SDK had already scheduled (after a failed attempt: the server unreachable)
 * still fires once on the caller's connection: Council.local() guards its own connection against
 * that too (client/runtime/closedChannel.ts), a connection the caller made cannot be. A signal the
 * caller set with `connection.withAbortSignal()` aborts the call as well. Each call's signal lets go
 * of its sources when the call ends: the SDK never removes the listener it adds to a call's signal.
 */
export function abortableOnClose(connection: Connection, closed: AbortSignal): Connection {
  let abortable: Connection['workflowService'] | undefined;
  // Made at its first use, not here: a connection given without a service (`{}` from JavaScript)
  // fails at its first call, as it did before.
  const workflowService = () => (abortable ??= abortableService(connection, closed));
  return Object.create(connection, { workflowService: { get: workflowService } }) as Connection;
}

function abortableService(connection: Connection, closed: AbortSignal): Connection['workflowService'] {
  return new Proxy(connection.workflowService, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (closed.aborted) return Promise.reject(new CouncilClosedError());
        const outer = connection.callContextStorage.getStore()?.abortSignal;
        const linked = linkedSignal(outer ? [closed, outer] : [closed]);
        const call = () => Promise.resolve(value.apply(target, args) as unknown);
        const made = connection.withAbortSignal(linked.signal, call);
        const aborted = new Promise<never>((_, reject) =>
          linked.signal.addEventListener(
            'abort',
            () => reject(closed.aborted ? new CouncilClosedError() : linked.signal.reason),
            { once: true },
          ),
        );
        return Promise.race([made, aborted]).finally(linked.release);
      };
    },
  });
}
