/** Defaults shared by workflows, activities, workers and the CLI. */
export const DEFAULT_TASK_QUEUE = 'council';
export const DEFAULT_NAMESPACE = 'default';
/** What a simulated run adds to its task queue's name (client/runtime/commandRuntime.ts). */
export const SIMULATED_QUEUE_SUFFIX = '-simulated';

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
  /**
   * Longest silence of a call's worker (no heartbeat) before its attempt is given up and retried: how
   * long a call on a SIGKILLed worker waits before another worker makes it again. The activity beats
   * every second for the whole call, whatever the model does (activities/heartbeat.ts), so 3 s lets a
   * worker miss two beats; only a worker whose event loop is blocked that long loses a live call
   * (docs/durability.md). 30 s before issue 20 (recovery took 34 s), then 5 s while the beats stopped
   * at the first token and a model's pause mid-answer had to fit in it.
   */
  heartbeatMs: 3_000,
  /**
   * Longest wait for a streamed call's response to begin (its HTTP status and headers). OpenAI and
   * Anthropic begin a stream within seconds, before the model writes a token (a long prompt or a
   * reasoning model delays the first token, not the headers), and answer overload with 429/529
   * rather than silence. 60 s is ten times that with room for a slow proxy, and a quarter of the
   * attempt timeout: a provider that accepts the connection and then says nothing costs a minute per
   * attempt, not five. A local server that loads a large model before answering may need more.
   */
  firstByteMs: 60_000,
  /**
   * Longest silence of a stream once its answer's text has begun. A model can pause mid-answer: 30 s
   * lets it, and still ends a connection that hangs mid-answer long before the attempt timeout.
   */
  streamIdleMs: 30_000,
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
  /**
   * Temporal refuses every command (activity input, update result, continue-as-new input, memo,
   * workflow result) with a payload over 2 MiB, and the workflow task then fails forever. Every
   * byte bound below keeps each command well under it, with no external storage configured.
   * Sizes are JSON bytes of the payload (common/size.ts), never characters.
   */
  payloadLimitBytes: 2 * 1024 * 1024,
  /** Room for what travels with a model request in its activity command (type, options, headers). */
  requestEnvelopeBytes: 64 * 1024,
  /**
   * One answer, cut in the activity (UTF-8 bytes) with a notice. JSON escaping grows a string six
   * times at worst, so 256 KiB stays under 2 MiB as an activity result whatever it holds; it is
   * ~64k tokens of English, more than most models write in one answer.
   */
  maxAnswerBytes: 256 * 1024,
  /** One user message (JSON bytes): with the answers shown it makes one turn (maxTurnBytes). */
  maxMessageBytes: 256 * 1024,
  /** A session's or participant's system prompt: 33 of them (a full session) stay under 600 KiB. */
  maxSystemPromptBytes: 16 * 1024,
  /**
   * The system instructions (`sendMessage('system', …)`) a participant carries into later rounds,
   * newest kept: 32 participants carry at most 256 KiB of them.
   */
  maxCarriedInstructionBytes: 8 * 1024,
  /**
   * One turn of a prompt: the message and the answers shown this round. Past it the shown answers
   * are shortened, each to a fair share, with a notice: with maxHistoryBytes and two system prompts
   * the activity input stays near 1 MiB.
   */
  maxTurnBytes: 384 * 1024,
  /**
   * A participant's (or observer's) carried history, oldest messages dropped first: one full turn
   * plus one full answer, so the last exchange is always kept.
   */
  maxHistoryBytes: 640 * 1024,
  /** A round's result (the update result): answers over it are shortened in the result only. */
  maxRoundResultBytes: 1024 * 1024,
  /**
   * The state carried into continue-as-new. Over it, the oldest transcript entries and history
   * messages leave (counted) until it fits: half a MiB under the limit for the specs and envelope.
   */
  maxCarriedStateBytes: 1536 * 1024,
  /**
   * What one strategy keeps between rounds (its memory, e.g. the selector's last speaker and recent
   * picks): part of the carried state, so it counts against the half MiB left there for specs.
   */
  maxStrategyStateBytes: 32 * 1024,
  /**
   * The largest `maxTokens` (history budget in tokens) a session accepts: the largest context
   * windows offered today are 1-2M tokens; a bigger number only switches the token trimming off.
   */
  maxContextTokens: 2_000_000,
  /**
   * A run's history is kept under Temporal's 10 MB warning: the session continues-as-new between
   * rounds once its history passes this (the server's own suggestion comes at 4 MiB), and one
   * round adds at most maxRoundPromptBytes + maxRoundAnswerBytes + maxRoundResultBytes (~5 MiB).
   * Rounds already queued in a run (concurrent sends) still play in it.
   */
  continueAsNewHistoryBytes: 2 * 1024 * 1024,
  /**
   * All prompts of one round together (each call's activity input is part of the history): each
   * call gets an equal share, at most ~1 MiB; past its share a prompt's shown answers are shortened
   * and its participant's oldest history messages dropped (counted). 2.5 MiB keeps a whole round
   * well inside one run's 10 MB; with an external payload store it could be raised.
   */
  maxRoundPromptBytes: 2.5 * 1024 * 1024,
  /**
   * All answers of one round together: each call's answer cap is an equal share, at most
   * maxAnswerBytes. They may all come in while one workflow task runs, and the server fails that
   * task once more than 2 MiB of events wait beside it (`history.maximumBufferedEventsSizeInBytes`).
   */
  maxRoundAnswerBytes: 1.5 * 1024 * 1024,
  /** A council's transcript (JSON bytes of its messages), oldest messages dropped past it. */
  maxCouncilTranscriptBytes: 512 * 1024,
  /** A council's result (its workflow result): older messages, then outputs are shortened past it. */
  maxCouncilResultBytes: 1536 * 1024,
} as const;

/** Search attributes the workflows set; registered on the embedded dev server. */
export const SEARCH_ATTRIBUTES = {
  status: 'CouncilStatus',
  strategy: 'CouncilStrategy',
  kind: 'CouncilKind',
  costUsd: 'CouncilCostUsd',
} as const;

/** How the server indexes each of {@link SEARCH_ATTRIBUTES}, as `--search-attribute Name=Type` takes it. */
export const SEARCH_ATTRIBUTE_TYPES: Record<keyof typeof SEARCH_ATTRIBUTES, 'Keyword' | 'Double'> = {
  status: 'Keyword',
  strategy: 'Keyword',
  kind: 'Keyword',
  costUsd: 'Double',
};
