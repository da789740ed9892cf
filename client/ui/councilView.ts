import { QueryNotRegisteredError, type WorkflowHandle } from '@temporalio/client';
import type { CouncilWorkflowResult } from '../../common/council';
import { COUNCIL_PROGRESS_LIMITS, councilProgressQuery } from '../../common/councilApi';
import { councilRecordQuery } from '../../common/resynthesis';
import { addressLabel } from '../../common/councilRouting';
import { CouncilStrategyKey } from '../../common/searchAttributes';
import type { FoundRun } from '../api/runs';
import { shownContexts } from '../api/shownContext';
import type { CallTime } from './runHistory';
import { rankingsOf } from './rankings';
import type { RunBody, UiEntry, UiParticipant } from './runView';

/** Most pages of a council's progress log read (500 events each): far above what a council logs. */
const MAX_PAGES = 1_000;
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
export async function councilBody(
  { handle, description }: FoundRun,
  times: readonly CallTime[],
): Promise<RunBody> {
  const entries: UiEntry[] = [];
  const experts = await configExperts(handle);
  let fromEvent = 0;
  let round = 0;
  let waitingUntil: string | undefined;
  /** People's messages to some experts: named once every expert of the log is known. */
  const addressed: Array<{ person: UiEntry; address: string }> = [];
  const result = await completedResult(handle, description.status.name);
  const shown = shownByTurn(result);
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const progress = await handle.query(councilProgressQuery, { fromEvent });
    round = progress.round;
    if (progress.firstEvent > fromEvent) entries.push(droppedNote(progress.firstEvent));
    const byId = new Map(progress.messages.map((message) => [message.id, message]));
    for (const event of progress.events) {
      if (event.kind === 'status') waitingUntil = event.status === 'awaiting-human' ? event.until : undefined;
      if (event.kind === 'human') {
        const message = byId.get(event.messageId);
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
      const content = event.messageId ? byId.get(event.messageId)?.content : undefined;
      const seen = shown.get(`${expertId}|${event.round}|${event.phase}`);
      entries.push({
        ...entry(event.round, expertName, event.phase, content),
        status: event.state === 'done' ? 'ok' : event.state,
        tokens: event.tokenUsage?.totalTokens ?? null,
        ms: timeOf(times, expertId, event.round, event.phase),
        ...(seen !== undefined && { shown: seen }),
        ...(event.error ? { error: `${event.error.type}: ${event.error.message}` } : {}),
      });
    }
    fromEvent = progress.nextEvent;
    if (fromEvent >= progress.totalEvents) break;
  }
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

/** An address as the page shows it: expert ids (`a, c`) by name; roles and groups as they are. */
function namesOf(address: string, experts: ReadonlyMap<string, UiParticipant>): string {
  return address
    .split(', ')
    .map((part) => experts.get(part)?.name ?? part)
    .join(', ');
}

/**
 * Every expert of the council's config, in its order, none begun yet: an expert whose turn has not
 * come (a sequential council's later ones) has its tab from the start. A council on a worker without
 * the record query names its experts as its log reaches them.
 */
async function configExperts(handle: WorkflowHandle): Promise<Map<string, UiParticipant>> {
  const experts = new Map<string, UiParticipant>();
  const record = await handle.query(councilRecordQuery).catch((error: unknown) => {
    if (error instanceof QueryNotRegisteredError) return undefined;
    throw error;
  });
  for (const { id, name } of record?.context.activeExperts ?? []) {
    experts.set(id, { name, id, role: 'expert', tokens: 0, ms: null, pending: true });
  }
  return experts;
}

async function completedResult(handle: WorkflowHandle, status: string) {
  return status === 'COMPLETED' ? ((await handle.result()) as CouncilWorkflowResult) : undefined;
}
