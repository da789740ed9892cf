/**
 * `council/common`: the workflow-safe entry. Types, zod schemas, failure-type names, defaults and the
 * session and council workflows' update and query definitions, for code that starts or talks to
 * council's workflows itself (including from inside a workflow of its own). Nothing here imports Node
 * built-ins, activities or a Temporal client or worker.
 */
export * from './council';
export * from './councilApi';
export * from './defaults';
export * from './failures';
export * from './inputLimits';
export * from './llm';
export * from './names';
export * from './participants';
export * from './searchAttributes';
export * from './session';
export * from './sessionApi';
export * from './size';
export * from './userError';
export * from './validation';
export type { Amount, BudgetView, BudgetWait, LedgerState, RefusedCall } from './budgetLedger';
export type { Grant, KeeperState } from './budgetKeeperApi';
export type { RaiseBudgetInput } from './budgetRaise';
export type { ConvergenceResult, DebateStopReason, Stance } from './convergence';
export type { InteractionStats, ParticipantStats, RoundStats } from './conversationStats';
export type { ShownTurnRef } from './debate';
export type { MessageWebhook, MessageWebhookResult } from './messageWebhook';
export type { ReviewStatus, ShownAnswer } from './peerReview';
export type { PeriodBudget, RunLimits, ScheduledPeriodBudget } from './periodBudget';
export type { PolicySubject } from './policy';
export type { ProviderEnvFacts, ProviderFacts } from './providers';
export type { LoggedCallState, SessionProgressEventBase } from './sessionProgress';
