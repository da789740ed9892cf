import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { executeCouncilExperts, startCouncil } from '../../client/api/council';
import { priorFromCouncil } from '../../client/api/conversationFile';
import { resynthesizeCouncil } from '../../client/api/resynthesize';
import { MultiParticipantSession } from '../../client/api/session';
import type { CouncilMode } from '../../common/council';
import type { OrchestrationStrategy, ParticipantRole } from '../../common/participants';
import { CANCELLED_TASK, HEDGE_QUORUM_TASK, HEDGE_TASK, QUORUM_TASK, ROUTING_TASK } from './mock';

/** The task queue of the recording's worker. */
export const TASK_QUEUE = 'record-histories';
const OUT_DIR = path.resolve(__dirname, '../../test/fixtures/histories');

/** What every recorder works with. */
export interface Recording {
  client: Client;
  /** The tag of this recording: `session-broadcast.<tag>.json`; none rewrites the untagged files. */
  tag?: string;
  /** Requests of the cancelled council the mock holds now. */
  held(): number;
}

const model = { provider: 'openai', model: 'gpt-4o-mini' } as const;
const members: Array<[string, ParticipantRole, number]> = [
  ['Moderator', 'moderator', 3],
  ['Worker-1', 'worker', 2],
  ['Supervisor', 'supervisor', 1],
  ['Panelist', 'panelist', 5],
  ['Watcher', 'observer', 0],
  ['Judge', 'evaluator', 0],
];

/** `-<tag>` for workflow ids of a tagged recording, so that it does not collide with an untagged one. */
export function idSuffix(recording: Recording): string {
  return recording.tag ? `-${recording.tag}` : '';
}

/** A session of this strategy: members join, two messages, one member leaves between them, close. */
export async function recordSession(recording: Recording, strategy: OrchestrationStrategy) {
  const sessionId = `replay-${strategy}${idSuffix(recording)}`;
  // The first member comes with the config and the others join by update: both paths are recorded.
  const [first, ...joining] = members;
  const participants = first ? [{ name: first[0], role: first[1], priority: first[2], model }] : [];
  const session = await MultiParticipantSession.create(
    recording.client,
    { strategy, participants, ...(strategy === 'selector' && { selector: { model, maxTurns: 3 } }) },
    { sessionId, taskQueue: TASK_QUEUE },
  );
  for (const [name, role, priority] of joining)
    await session.addParticipantWithPriority(name, model, role, priority);
  await session.sendMessage('user', 'First question');
  await session.removeParticipant('Panelist');
  await session.sendMessage('user', 'Second question');
  await session.close();
  await saveHistory(recording, sessionId, `session-${strategy}`);
}

/** The councils recorded beside the plain one of each mode. */
type CouncilVariant =
  | 'peer-review'
  | 'quorum'
  | 'hedge'
  | 'hedge-quorum'
  | 'expert-hedge'
  | 'convergence'
  | 'vote-first'
  | 'turn-debate'
  | 'routing';

/** Runs a council and saves its history (unless `save` is false); returns its id. */
export async function recordCouncil(
  recording: Recording,
  mode: CouncilMode,
  variant?: CouncilVariant,
  save = true,
) {
  const name = variant ? `council-${variant}` : `council-${mode}`;
  const councilId = `replay-${name}${idSuffix(recording)}${save ? '' : '-source'}`;
  const experts = ['Analyst', 'Critic', 'Builder'].map((name) => ({
    id: name.toLowerCase(),
    name,
    model,
    canSendMessages: name === 'Critic',
    ...(variant === 'routing' && { role: name === 'Critic' ? 'critic' : 'maker' }),
    // Builder's own hedge overrides the council's, whose timer would fire only after a minute.
    ...(variant === 'expert-hedge' &&
      name === 'Builder' && { hedge: { afterMs: 1_000, backup: backup('Builder backup') } }),
  }));
  await executeCouncilExperts(
    recording.client,
    {
      task:
        variant === 'quorum'
          ? QUORUM_TASK
          : variant === 'routing'
            ? ROUTING_TASK
            : variant === 'hedge' || variant === 'expert-hedge'
              ? HEDGE_TASK
              : variant === 'hedge-quorum'
                ? HEDGE_QUORUM_TASK
                : 'Should we adopt a four-day work week?',
      mode,
      activeExperts: experts,
      synthesisConfig: { model },
      enableMessaging: true,
      ...(variant === 'peer-review' && { peerReview: { rubric: 'Prefer concrete advice.' } }),
      // The quorum closes the round first: the deadline's timer is started and then cancelled.
      ...(variant === 'quorum' && { quorum: 2, deadlineMs: 60_000 }),
      // Analyst and Critic answer before afterMs (their timers are cancelled); Builder's backup answers for it.
      ...(variant === 'hedge' && { hedge: { afterMs: 1_000, backup: backup('Backup') } }),
      ...(variant === 'expert-hedge' && { hedge: { afterMs: 60_000, backup: backup('Backup') } }),
      // The quorum of two closes the round before Builder's hedge timer fires: no backup starts.
      ...(variant === 'hedge-quorum' && { quorum: 2, hedge: { afterMs: 1_000, backup: backup('Backup') } }),
      ...(variant === 'convergence' && { debateRounds: 3, convergence: { threshold: 0.67 } }),
      // Critic's opening differs (2 of 3 agree, the threshold is 0.6): the vote ends it at once.
      ...(variant === 'vote-first' && { debateRounds: 3, convergence: { threshold: 0.6, voteFirst: true } }),
      // The seed's turn-by-turn debate: each of the three speaks twice, one per round.
      ...(variant === 'turn-debate' && { debateRounds: 2, debateStyle: 'turns' as const }),
      // Critic (second) writes to the group: Builder, after it, reads the urgent message first.
      ...(variant === 'routing' && { groups: { builders: ['analyst', 'builder'] } }),
    },
    undefined,
    undefined,
    { councilId, taskQueue: TASK_QUEUE },
  );
  if (save) await saveHistory(recording, councilId, name);
  return councilId;
}

/** A hedge's backup on the model that answers at once while Builder's own (gpt-4o-mini) straggles. */
function backup(name: string) {
  return { name, model: { provider: 'openai' as const, model: 'gpt-4o' } };
}

/** A parallel council of two experts, cancelled once both calls are in flight. */
export async function recordCancelledCouncil(recording: Recording) {
  const experts = ['Analyst', 'Critic'].map((name) => ({ id: name.toLowerCase(), name, model }));
  const context = { task: CANCELLED_TASK, mode: 'parallel' as const, activeExperts: experts };
  const councilId = `replay-council-cancelled${idSuffix(recording)}`;
  await startCouncil(
    recording.client,
    { ...context, synthesisConfig: { model } },
    { councilId, taskQueue: TASK_QUEUE },
  );
  for (let i = 0; i < 100 && recording.held() < experts.length; i += 1)
    await new Promise((r) => setTimeout(r, 100));
  const handle = recording.client.workflow.getHandle(councilId);
  await handle.cancel();
  await handle.result().catch(() => undefined);
  await saveHistory(recording, councilId, 'council-cancelled');
}

/** A parallel council (not saved), then its re-synthesis with a re-ranking and another synthesizer. */
export async function recordResynthesis(recording: Recording) {
  const sourceId = await recordCouncil(recording, 'parallel', undefined, false);
  const councilId = `replay-council-resynthesis${idSuffix(recording)}`;
  await resynthesizeCouncil(recording.client, sourceId, {
    councilId,
    taskQueue: TASK_QUEUE,
    synthesizer: { name: 'Chairman' },
    peerReview: { rubric: 'Prefer the shortest answer.' },
  });
  await saveHistory(recording, councilId, 'council-resynthesis');
}

/** A sequential council (not saved), then one that goes on from its conversation (`continueFrom`). */
export async function recordContinuation(recording: Recording) {
  const sourceId = await recordCouncil(recording, 'sequential', undefined, false);
  const councilId = `replay-council-continued${idSuffix(recording)}`;
  const experts = ['Analyst', 'Critic'].map((name) => ({ id: name.toLowerCase(), name, model }));
  await executeCouncilExperts(
    recording.client,
    {
      task: 'And a three-day weekend?',
      mode: 'sequential',
      activeExperts: experts,
      synthesisConfig: { model },
    },
    undefined,
    undefined,
    { councilId, taskQueue: TASK_QUEUE, continueFrom: await priorFromCouncil(recording.client, sourceId) },
  );
  await saveHistory(recording, councilId, 'council-continued');
}

export async function saveHistory(recording: Recording, workflowId: string, name: string) {
  const history = await recording.client.workflow.getHandle(workflowId).fetchHistory();
  const { tag } = recording;
  const file = path.join(OUT_DIR, tag ? `${name}.${tag}.json` : `${name}.json`);
  writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
  console.log(`recorded ${path.relative(process.cwd(), file)} (${history.events?.length ?? 0} events)`);
}
