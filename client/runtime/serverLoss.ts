import type { WorkflowClientInterceptor } from '@temporalio/client';
import { CouncilUserError } from '../../common/userError';

/** The error of every call of a Council whose embedded server is gone: final, nothing waits it out. */
export class ServerGoneError extends CouncilUserError {}

/**
 * The end of the embedded server a `Council.local()` uses, once the process behind it is gone
 * (serverWatch.ts): from then on every call of that Council fails with the one error saying so,
 * calls in flight included. Without it a round in flight waited out the SDK's retries (~20 s) and
 * failed as "Workflow Update failed", while the worker logged a warning for each retried poll.
 */
export class ServerLoss {
  private lost: ServerGoneError | undefined;
  private readonly inFlight = new Set<(error: ServerGoneError) => void>();

  /** Fails every guarded call in flight, and every later one, with `error`; the first loss stands. */
  declare(error: ServerGoneError): void {
    if (this.lost) return;
    this.lost = error;
    for (const fail of this.inFlight) fail(error);
    this.inFlight.clear();
  }

  /** `call`'s outcome, unless the server is lost before it comes: then the loss. */
  async guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.lost) throw this.lost;
    let fail: (error: ServerGoneError) => void = () => undefined;
    const lostMeanwhile = new Promise<never>((_, reject) => (fail = reject));
    this.inFlight.add(fail);
    try {
      return await Promise.race([call(), lostMeanwhile]);
    } finally {
      this.inFlight.delete(fail);
    }
  }

  /**
   * Guards every call the workflow client makes for sessions and councils alike: starts, updates
   * (a session's round), queries, signals, describes, cancels. A workflow's result is not among
   * them (the SDK reads it without interceptors): `Council` guards the calls that wait on one.
   */
  interceptor(): WorkflowClientInterceptor {
    return {
      start: (input, next) => this.guard(() => next(input)),
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
}
