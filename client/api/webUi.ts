import type { SearchAttributePair } from '@temporalio/common';
import { debateRoundsOf, type CouncilContext } from '../../common/council';
import { CouncilKindKey, CouncilStatusKey, CouncilStrategyKey } from '../../common/searchAttributes';
import type { ModelSpec } from '../../common/llm';
import type { SessionConfig } from '../../common/session';

/**
 * What the Temporal Web UI (and `temporal workflow describe`) shows for a run instead of a bare id:
 * a one-line static summary and a markdown block of static details, set once at start. They are
 * user metadata of the start request, not workflow commands: old histories are untouched. With them
 * the search attributes the run publishes first, so `council list` finds a run no worker served yet.
 */
export interface StaticMetadata {
  staticSummary: string;
  staticDetails: string;
  typedSearchAttributes: SearchAttributePair[];
}

/** The search attributes a run starts with: its kind, `running`, and its strategy or mode. */
function startingAttributes(kind: 'session' | 'council', strategy: string) {
  return [
    { key: CouncilKindKey, value: kind },
    { key: CouncilStatusKey, value: 'running' },
    { key: CouncilStrategyKey, value: strategy },
  ];
}

/** The server keeps short summaries; a question can be long. */
const MAX_SUMMARY_CHARS = 200;
/** Details stay far below the server's user-metadata limit even with many participants. */
const MAX_DETAILS_CHARS = 8_000;

/** `text`, cut to `max` characters with an ellipsis when longer. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function modelOf(model: ModelSpec): string {
  return `${model.provider}/${model.model}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * A session's summary (`session · broadcast · 2 participants: question…`) and details. A session
 * created empty (participants join by update later) says so; its current details list them.
 */
export function sessionMetadata(config: SessionConfig, question?: string): StaticMetadata {
  const { strategy, participants } = config;
  const head = `session · ${strategy}${participants.length ? ` · ${count(participants.length, 'participant')}` : ''}`;
  const lines = [
    ...(question ? [`**Question:** ${oneLine(question)}`, ''] : []),
    `**Strategy:** ${strategy}`,
    '',
    participants.length ? '**Participants:**' : '**Participants:** none at start (they join by update)',
    ...participants.map((p) => `- ${p.name} (${p.role}): ${modelOf(p.model)}`),
  ];
  return {
    staticSummary: clip(question ? `${head}: ${oneLine(question)}` : head, MAX_SUMMARY_CHARS),
    staticDetails: clip(lines.join('\n'), MAX_DETAILS_CHARS),
    typedSearchAttributes: startingAttributes('session', strategy),
  };
}

/** A council's summary (`council · adversarial · 3 experts: task…`) and details. */
export function councilMetadata(context: CouncilContext): StaticMetadata {
  const experts = context.activeExperts;
  const head = `council · ${context.mode} · ${count(experts.length, 'expert')}`;
  const synthesizer = context.synthesisConfig;
  const lines = [
    `**Task:** ${oneLine(context.task)}`,
    '',
    `**Mode:** ${context.mode}${context.mode === 'adversarial' ? ` (${debateRoundsOf(context)} debate rounds)` : ''}`,
    '',
    '**Experts:**',
    ...experts.map((e) => `- ${e.name} (${e.id}): ${modelOf(e.model)}`),
    '',
    `**Synthesizer:** ${synthesizer.name}: ${modelOf(synthesizer.model)}`,
  ];
  return {
    staticSummary: clip(`${head}: ${oneLine(context.task)}`, MAX_SUMMARY_CHARS),
    staticDetails: clip(lines.join('\n'), MAX_DETAILS_CHARS),
    typedSearchAttributes: startingAttributes('council', context.mode),
  };
}
