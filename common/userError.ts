/**
 * An error meant for a person: `message` says what is wrong and where, `hint` how to fix it.
 * The CLI prints these as one line (no stack trace unless --verbose).
 */
export class CouncilUserError extends Error {
  override readonly name = 'CouncilUserError';
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
