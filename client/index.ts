/** council's public library API: sessions, councils, connection helpers and the shared types. */
export { Council, type ConnectCouncilOptions, type LocalCouncilOptions } from './local';
export {
  MultiParticipantSession,
  succeeded,
  type ParticipantExtras,
  type SendMessageOptions,
  type StartSessionOptions,
} from './session';
export {
  closeOneRoundSession,
  FIRST_ROUND_UPDATE_ID,
  resumeOneRoundSession,
  SessionIdTakenError,
  startOneRoundSession,
  type OneRoundSession,
  type OneRoundSessionOptions,
} from './oneRoundSession';
export {
  participantOf,
  watchTokens,
  type OnToken,
  type TokenEvent,
  type TokenWatch,
  type WatchTokensOptions,
} from './tokens';
export {
  createExpertMessage,
  executeCouncilExperts,
  sendHumanMessage,
  skipExpert,
  startCouncil,
} from './council';
export { attachCouncil } from './councilAttach';
export {
  councilHumanMessages,
  readCouncilProgress,
  readCouncilResult,
  type CouncilHumanMessage,
} from './councilRead';
export { cancelRun, findRun, type FoundRun, type RunMemo } from './runs';
export { listRuns, type RunFilter, type RunRow } from './runRow';
export { awaitRoundEnd, type AwaitRoundEndOptions } from './sessionRoundEnd';
export {
  ROUND_WATCH_MAX_MS,
  watchSessionRound,
  type RoundCallState,
  type RoundParticipant,
  type SessionRoundProgress,
  type SessionRoundWatch,
  type SessionRoundWatchEnd,
  type WatchSessionRoundOptions,
} from './sessionRoundWatch';
export { councilRetries, type CallRetry } from './pendingCalls';
export { resynthesizeCouncil, startResynthesis, type ResynthesisOptions } from './resynthesize';
export { startSessionResynthesis, type SessionResynthesisOptions } from './sessionResynthesis';
export {
  type ConversationContext,
  type CouncilExpert,
  type ExecutionContext,
  type ExecutionResult,
  type ExpertMessage,
  type OnExpertUpdate,
  type OnStatusUpdate,
} from './councilTypes';
export { councilMessages, councilStats, readConversation, type CouncilConversation } from './conversation';
export { loadConversation, saveConversation } from './conversationFile';
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
export {
  configuredTarget,
  connectClient,
  connectWorker,
  resolveTarget,
  type TemporalTarget,
} from './connection';
export { startDevServer, type DevServer, type DevServerOptions } from './devServer';
export { CouncilUserError } from './errors';
export { isQueryCancelledByServer, queryRetryInterceptor } from './queryRetry';
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
