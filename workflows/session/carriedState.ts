import { SESSION_SCHEMA_VERSION, type SessionState } from '../../common/session';

/**
 * The state a continued run starts from. Fields added since version 1 are optional, so older states
 * load as they are. A state written by a newer worker (a rollback mid-session) is not guessed at:
 * the plain Error fails this workflow task, which Temporal retries, so the session waits, intact,
 * until a worker that knows the version takes it.
 */
export function loadCarriedState(state: SessionState): SessionState {
  const version = state.schemaVersion;
  if (!Number.isInteger(version) || version < 1 || version > SESSION_SCHEMA_VERSION) {
    throw new Error(
      `session state has schemaVersion ${String(version)}, this worker reads 1 to ${SESSION_SCHEMA_VERSION}: ` +
        'run a worker of the version that wrote it (the session waits, nothing is lost)',
    );
  }
  return state;
}
