import type * as Grpc from '@grpc/grpc-js';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { CouncilUserError } from '../../common/userError';
import { grpc } from './closedChannel';

/** The error of every call of a Council whose embedded server is gone: final, nothing waits it out. */
export class ServerGoneError extends CouncilUserError {
  override readonly name: string = 'ServerGoneError';
}

/**
 * The end of the embedded server a `Council.local()` uses, once the process behind it is gone
 * (serverWatch.ts). Without it a round in flight waited out the SDK's retries (~20 s) and failed as
 * "Workflow Update failed", a council's wait ran on for minutes, and the worker logged a warning for
 * each retried poll. From the loss on, every gRPC call of the client's connection ends at once (see
 * {@link grpcInterceptor}), and the calls {@link guard} runs fail with the one error saying so.
 */
export class ServerLoss {
  private lost: ServerGoneError | undefined;
  /** How each gRPC request in flight is ended at the loss. */
  private readonly onLoss = new Set<() => void>();

  /** Ends every request in flight, and every later one, for `error`; the first loss stands. */
  declare(error: ServerGoneError): void {
    if (this.lost) return;
    this.lost = error;
    for (const end of this.onLoss) end();
    this.onLoss.clear();
  }

  /**
   * `call`'s outcome, or the loss when the server is lost before or while it runs: the loss ends the
   * call's gRPC requests ({@link grpcInterceptor}), and what they fail with becomes the one error.
   */
  async guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.lost) throw this.lost;
    try {
      return await call();
    } catch (error) {
      throw this.lost ?? error;
    }
  }

  /**
   * Guards what the workflow client calls through interceptors, for sessions and councils alike:
   * starts, a round's update until the server has it, queries, signals, describes, cancels.
   */
  interceptor(): WorkflowClientInterceptor {
    return {
      startWithDetails: (input, next) => this.guard(() => next(input)),
      startUpdate: (input, next) => this.guard(() => next(input)),
      startUpdateWithStart: (input, next) => this.guard(() => next(input)),
      signal: (input, next) => this.guard(() => next(input)),
      signalWithStart: (input, next) => this.guard(() => next(input)),
      query: (input, next) => this.guard(() => next(input)),
      terminate: (input, next) => this.guard(() => next(input)),
      cancel: (input, next) => this.guard(() => next(input)),
      describe: (input, next) => this.guard(() => next(input)),
    };
  }

  /**
   * Ends, at the loss, the gRPC calls no interceptor of the workflow client sees: a round's update
   * polled past the server's wait, a workflow's result, the token watcher's describes. They end
   * CANCELLED with the loss's message (the SDK's retries pass on it; council's query retry asks again,
   * ended at once each time, at most QUERY_ATTEMPT_TIMEOUTS_MS's four times), a later one at once.
   */
  grpcInterceptor(): Grpc.Interceptor {
    return (options, nextCall) => {
      const call: Grpc.InterceptingCall = new grpc.InterceptingCall(nextCall(options), {
        start: (metadata, _listener, next) => {
          const end = () => call.cancelWithStatus(grpc.status.CANCELLED, this.lost?.message ?? '');
          this.onLoss.add(end);
          next(metadata, {
            onReceiveStatus: (status, nextStatus) => {
              this.onLoss.delete(end);
              nextStatus(status);
            },
          });
          if (this.lost) end();
        },
      });
      return call;
    };
  }
}
