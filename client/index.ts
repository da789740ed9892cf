/** council's public library API: sessions, councils, connection helpers and the shared types. */
export { Council, type ConnectCouncilOptions } from './api/local';
export type { LocalCouncilOptions } from './runtime/embedded';
export {
  MultiParticipantSession,
  succeeded,
  type ParticipantExtras,
  type SendMessageOptions,
  type StartSessionOptions,
} from './api/session';
export {
  closeOneRoundSession,
  FIRST_ROUND_UPDATE_ID,
  resumeOneRoundSession,
  SessionIdTakenError,
  startOneRoundSession,
  type OneRoundSession,
  type OneRoundSessionOptions,
} from './api/oneRoundSession';
export {
  participantOf,
  watchTokens,
  type OnToken,
  type TokenEvent,
  type TokenSource,
  type TokenWatch,
  type WatchTokensOptions,
} from './api/tokens';
export {
  createExpertMessage,
  executeCouncilExperts,
  sendHumanMessage,
  skipExpert,
  startCouncil,
  type CouncilRunOptions,
} from './api/council';
export { attachCouncil } from './api/councilAttach';
export {
  councilHumanMessages,
  readCouncilProgress,
  readCouncilResult,
  type CouncilHumanMessage,
} from './api/councilRead';
export { cancelRun, findRun, type FoundRun, type RunMemo } from './api/runs';
export { listRuns, type RunFilter, type RunRow } from './api/runRow';
export { awaitRoundEnd, type AwaitRoundEndOptions } from './api/sessionRoundEnd';
export { followRun, ROUND_WATCH_MAX_MS, type FollowRunEnd, type FollowRunOptions } from './api/followRun';
export type { RunProgressItem } from './api/progressPage';
export type { PollWatch } from './api/pollWatch';
export type { RoundChoice } from './api/sessionRoundTracker';
export { readRunLog } from './api/runLog';
export {
  watchSessionRound,
  type RoundCallState,
  type RoundParticipant,
  type SessionRoundProgress,
  type SessionRoundWatch,
  type SessionRoundWatchEnd,
  type WatchSessionRoundOptions,
} from './api/sessionRoundWatch';
export {
  sessionProgressQuery,
  SESSION_PROGRESS_LIMITS,
  type SessionProgressEvent,
  type SessionProgressPage,
} from '../common/sessionProgress';
export { councilRetries, type CallRetry } from './api/pendingCalls';
export { resynthesizeCouncil, startResynthesis, type ResynthesisOptions } from './api/resynthesize';
export { startSessionResynthesis, type SessionResynthesisOptions } from './api/sessionResynthesis';
export {
  type ConversationContext,
  type CouncilExpert,
  type ExecutionContext,
  type ExecutionResult,
  type ExpertMessage,
  type OnExpertUpdate,
  type OnStatusUpdate,
  type CouncilCallbacks,
  type ExpertUpdate,
  type OnHumanMessage,
} from './api/councilTypes';
export type { ExpertMessageFields } from '../workflows/council/messages';
export type { SeedOnlyContextFields, SeedOnlyExpertFields } from './api/seedContext';
export type { ShownContext, ShownTurn } from './api/shownContext';
export {
  councilMessages,
  councilStats,
  readConversation,
  type CouncilConversation,
} from './api/conversation';
export { loadConversation, priorFromCouncil, priorFromFile, saveConversation } from './api/conversationFile';
export {
  CARRIED_OVER_ROUND,
  filterMessages,
  type ConversationMessage,
  type MessageFilter,
} from '../common/conversation';
export { conversationStats, EVERYONE, type ConversationStats } from '../common/conversationStats';
export { relevanceOf, termsOf } from '../common/relevance';
export {
  priorConversationOf,
  type PriorConversation,
  type SavedConversation,
} from '../common/savedConversation';
export { connectWorker } from '../workers/connection';
export {
  configuredTarget,
  connectClient,
  resolveTarget,
  type ResolvedTarget,
  type TemporalTarget,
} from './runtime/connection';
export { startDevServer, type DevServer, type DevServerOptions } from './runtime/devServer';
export { CouncilUserError, RunNotFoundError, type RunKind } from '../common/userError';
export { CouncilClosedError } from './api/closableCalls';
export { ServerGoneError, type ServerLoss } from './runtime/serverLoss';
export type { BudgetView } from '../common/budgetLedger';
export type { RaiseBudgetInput } from '../common/budgetRaise';
export { isQueryCancelledByServer, queryRetryInterceptor } from './runtime/queryRetry';
export { OrchestrationStrategy, ParticipantRole, type ParticipantSpec } from '../common/participants';
export type { ModelSpec, TokenUsage } from '../common/llm';
export type {
  AggregateEntry,
  PeerReviewConfig,
  PeerReviewResult,
  PositionBias,
  ReviewerRanking,
} from '../common/peerReview';
export type {
  ParticipantDetail,
  ParticipantInfo,
  ParticipantResponse,
  SessionView,
  TranscriptEntry,
} from '../common/session';
export { createLlmActivities, providerClientsFromEnv } from '../activities';
export { createCouncilWorker, bundleCouncilWorkflows } from '../workers/worker';
export { councilPlugin, type CouncilPluginOptions } from '../workers/plugin';
