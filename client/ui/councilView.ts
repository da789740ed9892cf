import { QueryNotRegisteredError, type WorkflowHandle } from '@temporalio/client';
import type { CouncilWorkflowResult } from '../../common/council';
import { COUNCIL_PROGRESS_LIMITS } from '../../common/councilApi';
import { councilRecordQuery } from '../../common/resynthesis';
import { addressLabel } from '../../common/councilRouting';
import { CouncilStrategyKey } from '../../common/searchAttributes';
import { followRun } from '../api/followRun';
import { unreadableLog } from '../api/runLog';
import type { FoundRun } from '../api/runs';
import { shownContexts } from '../api/shownContext';
import type { CallTime } from './runHistory';
import { rankingsOf } from './rankings';
import type { RunBody, UiEntry, UiParticipant } from './runView';

/** Council runs whose experts are kept: the least recently shown is forgotten first. */
const MAX_RUNS_KEPT = 100;
/** What an entry carries of what its expert was shown: the history its prompt held, clipped. */
const MAX_SHOWN_CHARS = 20_000;

function entry(round: number, from: string, role: string, content: string | undefined): UiEntry {
  return { round, from, role, status: 'ok', content: content ?? '', tokens: null };
}

/** Seconds of the calls of one expert in one round and phase (or all its calls). */
function timeOf(times: readonly CallTime[], id: string, round?: number, phase?: string): number | null {
  const mine = times.filter(
    (t) => t.participant === id && (round === undefined || (t.round === round && t.phase === phase)),
  );
  return mine.length ? mine.reduce((sum, t) => sum + t.ms, 0) : null;
}

/** What each expert's prompt held at each turn, by `expertId|round|phase` (a completed council's). */
function shownByTurn(result: CouncilWorkflowResult | undefined): Map<string, string> {
  const shown = new Map<string, string>();
  if (!result?.messages || !result.contextRefs) return shown;
  const contexts = shownContexts(
    { outputs: result.outputs, messages: result.messages },
    result.contextRefs,
    (m) => m,
  );
  for (const [expertId, context] of Object.entries(contexts)) {
    for (const turn of context.turns) {
      const text = turn.conversationHistory || '(nothing: it answered the task alone)';
      shown.set(`${expertId}|${turn.round}|${turn.phase}`, text.slice(0, MAX_SHOWN_CHARS));
    }
  }
  return shown;
}

/** A council's page data from its progress log and, once completed, its result. */
export async function councilBody(found: FoundRun, times: readonly CallTime[]): Promise<RunBody> {
  const { handle, description } = found;
  const entries: UiEntry[] = [];
  const experts = await configExperts(found);
  // The council logs a status as it begins a round, and a re-synthesis as it takes its rounds over:
  // an empty log is one of a council before its first round.
  let round = 0;
  let waitingUntil: string | undefined;
  /** People's messages to some experts: named once every expert of the log is known. */
  const addressed: Array<{ person: UiEntry; address: string }> = [];
  const result = await completedResult(handle, description.status.name);
  const shown = shownByTurn(result);
  const log = followRun(handle, {
    kind: 'council',
    follow: false,
    onEventsDropped: ({ firstEvent }) => void entries.push(droppedNote(firstEvent)),
  });
  let next = await log.next();
  for (; !next.done; next = await log.next()) {
    const item = next.value;
    if (item.kind !== 'council') continue;
    const { event, message } = item;
    round = item.round;
    if (event.kind === 'status') waitingUntil = event.status === 'awaiting-human' ? event.until : undefined;
    if (event.kind === 'human') {
      const person = entry(event.round, message?.senderName ?? 'Human', 'person', message?.content);
      const address = message && addressLabel(message);
      if (address) addressed.push({ person, address });
      entries.push(person);
    }
    if (event.kind !== 'expert') continue;
    const { expertId, expertName } = event;
    const known = experts.get(expertId) ?? {
      name: expertName,
      id: expertId,
      role: 'expert',
      tokens: 0,
      ms: null,
    };
    known.ms = timeOf(times, expertId);
    delete known.pending;
    experts.set(expertId, known);
    if (event.state === 'thinking') continue;
    known.tokens += event.tokenUsage?.totalTokens ?? 0;
    const seen = shown.get(`${expertId}|${event.round}|${event.phase}`);
    entries.push({
      ...entry(event.round, expertName, event.phase, message?.content),
      status: event.state === 'done' ? 'ok' : event.state,
      tokens: event.tokenUsage?.totalTokens ?? null,
      ms: timeOf(times, expertId, event.round, event.phase),
      ...(seen !== undefined && { shown: seen }),
      ...(event.error ? { error: `${event.error.type}: ${event.error.message}` } : {}),
    });
  }
  if (next.value.reason === 'run-closed' && next.value.readFailed !== undefined)
    entries.push(unreadableNote(found.handle.workflowId, next.value.readFailed));
  for (const { person, address } of addressed) person.role = `person to ${namesOf(address, experts)}`;
  const participants = [...experts.values()];
  if (result) {
    const { synthesis } = result;
    const name = synthesis.synthesizerName;
    const ms = timeOf(times, name);
    participants.push({ name, id: name, role: 'synthesizer', tokens: synthesis.tokenUsage.totalTokens, ms });
    entries.push({
      ...entry(result.rounds, name, 'synthesizer', synthesis.content),
      status: synthesis.status === 'done' ? 'ok' : synthesis.status,
      tokens: synthesis.tokenUsage.totalTokens,
      ms,
      ...(synthesis.error ? { error: `${synthesis.error.type}: ${synthesis.error.message}` } : {}),
    });
  }
  return {
    strategy: result?.mode ?? description.typedSearchAttributes.get(CouncilStrategyKey) ?? '',
    round,
    participants,
    entries,
    totalTokens: result?.tokenUsage.total.totalTokens ?? participants.reduce((sum, p) => sum + p.tokens, 0),
    ...(waitingUntil !== undefined && description.status.name === 'RUNNING' && { waitingUntil }),
    ...(result?.aggregateRanking && { rankings: rankingsOf(result) }),
  };
}

/** The entry that says the page starts after events the council's log no longer holds. */
function droppedNote(firstEvent: number): UiEntry {
  const { maxEvents, maxBytes } = COUNCIL_PROGRESS_LIMITS;
  const content =
    `The first ${firstEvent} events of this council's progress log are no longer held (it keeps its ` +
    `newest ${maxEvents} events within ${maxBytes / 1024} KiB): the turns they logged are not shown.`;
  return { ...entry(0, 'Progress log', 'note', content), status: 'dropped' };
}

/** The entry that says the closed council's log could not be read, so its turns are missing. */
function unreadableNote(id: string, readFailed: string): UiEntry {
  const content = unreadableLog('council', id, readFailed).toOneLine();
  return { ...entry(0, 'Progress log', 'note', content), status: 'unreadable' };
}

/** An address as the page shows it: expert ids (`a, c`) by name; roles and groups as they are. */
function namesOf(address: string, experts: ReadonlyMap<string, UiParticipant>): string {
  return address
    .split(', ')
    .map((part) => experts.get(part)?.name ?? part)
    .join(', ');
}

/** Each council run's experts by its run id, as its record named them: a run's experts never change. */
const expertsByRun = new Map<string, ReadonlyArray<{ id: string; name: string }>>();

/**
 * Every expert of the council's config, in its order, none begun yet: an expert whose turn has not
 * come (a sequential council's later ones) has its tab from the start. A council on a worker without
 * the record query names its experts as its log reaches them. Read once per run: a page polls it,
 * and a run that continued as new (or a new council under the same id) has a run id of its own.
 */
async function configExperts({ handle, description }: FoundRun): Promise<Map<string, UiParticipant>> {
  const { runId } = description;
  let active = expertsByRun.get(runId);
  if (active === undefined) {
    const record = await handle.query(councilRecordQuery).catch((error: unknown) => {
      if (error instanceof QueryNotRegisteredError) return undefined;
      throw error;
    });
    active = record?.context.activeExperts.map(({ id, name }) => ({ id, name }));
  }
  if (active !== undefined) {
    expertsByRun.delete(runId);
    expertsByRun.set(runId, active);
    const oldest = expertsByRun.keys().next();
    if (expertsByRun.size > MAX_RUNS_KEPT && !oldest.done) expertsByRun.delete(oldest.value);
  }
  const experts = new Map<string, UiParticipant>();
  for (const { id, name } of active ?? []) {
    experts.set(id, { name, id, role: 'expert', tokens: 0, ms: null, pending: true });
  }
  return experts;
}

async function completedResult(handle: WorkflowHandle, status: string) {
  return status === 'COMPLETED' ? ((await handle.result()) as CouncilWorkflowResult) : undefined;
}
