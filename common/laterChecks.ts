/**
 * Input checks added after runs began (a maximum, a text that shows nothing) hold where input
 * arrives: the client, the config reader, an update's validator. A run that reads input it already
 * took (its start and its update handlers, on replay too) reads it with them off: a session recorded
 * before a check replays as it ran, and one that took such input goes on after a deploy.
 *
 * Module state, set only for the synchronous span of one read: a workflow run has modules of its own.
 */
let takenAlready = false;

/** Reads (parses) input a run already took: checks made with {@link laterCheck} pass. */
export function readAsTaken<T>(read: () => T): T {
  const before = takenAlready;
  takenAlready = true;
  try {
    return read();
  } finally {
    takenAlready = before;
  }
}

/** A check added after runs began: `holds` for input arriving now, true for input a run already took. */
export function laterCheck(holds: boolean): boolean {
  return takenAlready || holds;
}
