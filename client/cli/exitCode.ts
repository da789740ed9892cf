/**
 * The CLI's exit codes (2: some participants failed). A module of its own so the program's entry
 * can name them without loading what prints results.
 */
export const ExitCode = { Ok: 0, Error: 1, Partial: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code Ctrl-C or SIGTERM left the process to leave with, once it detached from its run. */
let detachedExit: number | undefined;

/**
 * Called as the `detached` line is written (or, with no such line, by the interrupt handler): whatever
 * the command does next, nothing more is written on stdout and the process exits with `code`.
 */
export function detachWith(code: number): void {
  detachedExit ??= code;
}

/**
 * The code of a detach, if one happened. A command that ends while the process closes (its answer
 * came, or its connection closed under it) does not change how it ends: the `detached` line was its
 * last word, and its exit code is the one that line gave.
 */
export function detachedExitCode(): number | undefined {
  return detachedExit;
}

/**
 * While a command follows a run (`onInterrupt`, until its result is in): what its output closing now
 * leaves, in a line.
 */
let followed: (() => string) | undefined;

/** Registers (or, with undefined, clears) what {@link followedRun} says. */
export function followingRun(say: (() => string) | undefined): void {
  followed = say;
}

/** What goes on without this process, if it follows a run: said when its output closes under it. */
export function followedRun(): string | undefined {
  return followed?.();
}
