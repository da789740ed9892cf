import type { Connection } from '@temporalio/client';
import { linkedSignal } from '../../common/linkedSignal';
import { CouncilUserError } from '../../common/userError';

/** A call of a Council.connect() client made after that Council was closed: refused before it is sent. */
export class CouncilClosedError extends CouncilUserError {
  override readonly name: string = 'CouncilClosedError';
  constructor() {
    super('this Council is closed: open another with Council.local() or Council.connect()');
  }
}

/**
 * The caller's connection as a Council.connect() client uses it: each call of its workflow service
 * is made under a signal that aborts when `closed` does (Council.close()). A call in flight then
 * ends at once, gRPC's CANCELLED, which the SDK does not retry; it used to wait on, and once its
 * owner closed the connection, the SDK's retry of it threw out of a timer and ended the process
 * (SDK 1.24; client/runtime/closedChannel.ts guards Council.local()'s own connection the same way).
 * A call made after the close is refused with {@link CouncilClosedError}. A signal the caller set
 * with `connection.withAbortSignal()` aborts the call too. Each call's signal lets go of its sources
 * when the call ends: the SDK never removes the listener it adds to a call's signal.
 */
export function abortableOnClose(connection: Connection, closed: AbortSignal): Connection {
  let abortable: Connection['workflowService'] | undefined;
  // Made at the first call: the service is the connection's own once it is used.
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
        return connection.withAbortSignal(linked.signal, call).finally(linked.release);
      };
    },
  });
}
