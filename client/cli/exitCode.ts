/**
 * The CLI's exit codes (2: some participants failed). A module of its own so the program's entry
 * can name them without loading what prints results.
 */
export const ExitCode = { Ok: 0, Error: 1, Partial: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
