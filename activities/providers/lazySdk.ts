/**
 * A provider SDK loaded on first use rather than with its adapter's module. Each SDK takes hundreds
 * of milliseconds to load, a run seldom calls more than one provider, and every module that reads the
 * registry (the CLI's `council run` among them) would otherwise pay for all of them at start.
 *
 * `load` is a plain `require`, so the SDK is the same module instance that a caller who imported it
 * itself holds: `instanceof` on its error classes keeps working.
 */
export function lazySdk<Sdk>(load: () => Sdk): () => Sdk {
  let sdk: Sdk | undefined;
  return () => (sdk ??= load());
}
