/**
 * An error meant for a person: `message` says what is wrong and where, `hint` how to fix it.
 * The CLI prints these as one line (no stack trace unless --verbose).
 */
export class CouncilUserError extends Error {
  /** Each subclass names itself: written out, so a minifying bundler keeps it. */
  override readonly name: string = 'CouncilUserError';
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The message and the hint on one line. */
  toOneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** What an id was looked up as: a session, a council, or either. */
export type RunKind = 'session' | 'council' | 'run';

/** No run has the id asked for (it was never started, or its history is gone past retention). */
export class RunNotFoundError extends CouncilUserError {
  override readonly name: string = 'RunNotFoundError';
  constructor(
    /** What the id was looked up as. */
    readonly kind: RunKind,
    /** The id asked for. */
    readonly id: string,
    hint: string,
    options?: { cause?: unknown },
  ) {
    const what = kind === 'run' ? 'session or council' : kind;
    super(`no ${what} with id "${id}"`, hint, options);
  }
}

/** The id is already used, by a running or a closed run: an id names one run, never reused. */
export class SessionIdTakenError extends CouncilUserError {
  override readonly name: string = 'SessionIdTakenError';
}

/** The error a person can act on: `error` itself, or a namespace the server lacks along its causes. */
export function userErrorIn(error: unknown): CouncilUserError | undefined {
  if (error instanceof CouncilUserError) return error;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++, current = current.cause) {
    const namespace = missingNamespace(current);
    if (namespace) return namespace;
  }
  return undefined;
}

/**
 * A namespace the server lacks, as the client (`NamespaceNotFoundError`) and the worker's core (its
 * message, before the gRPC status) report it: read by name, so that code with no SDK loaded reads it.
 */
function missingNamespace(error: unknown): CouncilUserError | undefined {
  if (!(error instanceof Error)) return undefined;
  const fromClient = error.name === 'NamespaceNotFoundError' && 'namespace' in error && error.namespace;
  const namespace = fromClient || /^Namespace (\S+) was not found/.exec(error.message)?.[1];
  if (typeof namespace !== 'string') return undefined;
  return new CouncilUserError(
    `namespace "${namespace}" does not exist on this Temporal server`,
    `create it (temporal operator namespace create --namespace ${namespace}), or set TEMPORAL_NAMESPACE to one that exists`,
  );
}
