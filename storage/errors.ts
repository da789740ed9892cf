/**
 * A blob that a reference payload points at cannot be read: gone (deleted, expired, another store)
 * or unreadable (corrupt, no permission). The message names the key and the store, so whoever sees it
 * (a workflow task failure in the Web UI, a CLI error, the codec server's reply) knows what to look for.
 */
export class BlobUnavailableError extends Error {
  override readonly name = 'BlobUnavailableError';
  constructor(
    readonly key: string,
    readonly store: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`blob ${key} is unavailable in ${store}: ${reason}`, options);
  }
}
