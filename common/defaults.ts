/** Defaults shared by workflows, activities, workers and the CLI. */
export const DEFAULT_TASK_QUEUE = 'council';
export const DEFAULT_NAMESPACE = 'default';

/** Token budget for a participant's history when a session does not set one. */
export const DEFAULT_MAX_CONTEXT_TOKENS = 8192;

export const DEFAULT_RETRY = {
  maximumAttempts: 4,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
} as const;

export const DEFAULT_TIMEOUTS = {
  attemptMs: 5 * 60_000,
  heartbeatMs: 30_000,
  /**
   * Longest wait for a streamed call's response to begin (its HTTP status and headers). OpenAI and
   * Anthropic begin a stream within seconds, before the model writes a token (a long prompt or a
   * reasoning model delays the first token, not the headers), and answer overload with 429/529
   * rather than silence. 60 s is ten times that with room for a slow proxy, and a quarter of the
   * attempt timeout: a provider that accepts the connection and then says nothing costs a minute per
   * attempt, not five. A local server that loads a large model before answering may need more.
   */
  firstByteMs: 60_000,
} as const;

/** Hard caps that keep every loop bounded. */
export const LIMITS = {
  maxParticipants: 32,
  maxRoundsPerRun: 500,
  maxDebateRounds: 20,
  maxMessageChars: 200_000,
  /** Updates handled per workflow run before continue-as-new (the server refuses past 2,000). */
  maxUpdatesPerRun: 1000,
  /**
   * Characters of serialized transcript a session carries across continue-as-new. Past it the oldest entries
   * leave the state (they stay in earlier runs' histories), so the state stays far below the 2 MB
   * payload limit however long the session runs.
   */
  maxTranscriptChars: 500_000,
} as const;

/** Search attributes the workflows set; registered on the embedded dev server. */
export const SEARCH_ATTRIBUTES = {
  status: 'CouncilStatus',
  strategy: 'CouncilStrategy',
  kind: 'CouncilKind',
} as const;
