import type { OrchestrationStrategy, ParticipantSpec } from '../../common/participants';
import type { StrategySettings } from '../../common/selector';
import type { ParticipantResponse } from '../../common/session';
import { roleRequest } from './roleRequests';
import type { RoundContext, RoundSeam, Strategy } from './types';

/**
 * What each role means, decided once for every strategy:
 * - observers are never called; every message and every answer of a round goes into their history;
 * - evaluators answer after everyone else in the round, in parallel, seeing every answer; under
 *   `custom` they answer in their priority place instead (after the others of the same priority);
 * - moderator / supervisor / worker have their special place only under moderatorLed / hierarchical;
 *   under any other strategy they answer like panelists.
 */
export function splitByRole(participants: readonly ParticipantSpec[]): {
  main: ParticipantSpec[];
  evaluators: ParticipantSpec[];
  observers: ParticipantSpec[];
} {
  return {
    main: participants.filter((p) => p.role !== 'observer' && p.role !== 'evaluator'),
    evaluators: participants.filter((p) => p.role === 'evaluator'),
    observers: participants.filter((p) => p.role === 'observer'),
  };
}

/** Why this strategy cannot run with these participants and settings, or undefined when it can. */
export function checkParticipants(
  strategy: Strategy,
  participants: readonly ParticipantSpec[],
  settings: StrategySettings = {},
): string | undefined {
  return strategy.check(splitByRole(participants).main, settings);
}

/** How a round is played where a patch changed it: both true but to replay rounds recorded before. */
export interface RoundRules {
  /** False to replay rounds recorded when evaluators always answered last (not in `custom`'s order). */
  rankEvaluators?: boolean;
  /** False to replay rounds whose calls had no role requests (workflows/strategies/roleRequests.ts). */
  roleRequests?: boolean;
}

/**
 * Runs a whole round: the strategy's main phase, then the evaluators seeing every answer; under a
 * strategy that ranks them (`custom`), the evaluators take their place in its order instead. Each
 * plain call of a role with a request for it gets that request (roleRequests.ts).
 */
export async function runRound(
  strategy: Strategy,
  participants: readonly ParticipantSpec[],
  callParticipant: RoundContext['invoke'],
  seam: RoundSeam,
  { rankEvaluators = true, roleRequests = true }: RoundRules = {},
): Promise<ParticipantResponse[]> {
  const { main, evaluators } = splitByRole(participants);
  const panelFollows = main.some((participant) => participant.role !== 'moderator');
  const requestOf = (participant: ParticipantSpec, shown: readonly ParticipantResponse[]) =>
    roleRequests ? roleRequest(phaseOf(strategy.name, participant), shown, panelFollows) : undefined;
  const invoke: RoundContext['invoke'] = (participant, shown, purpose) =>
    callParticipant(participant, shown, purpose ?? requestOf(participant, shown));
  if (strategy.ranksEvaluators && rankEvaluators && evaluators.length > 0) {
    // Evaluators after the others: at equal rank they still answer after them (the sorts are stable).
    return strategy.run({ ...seam, participants: [...main, ...evaluators], invoke });
  }
  const responses = await strategy.run({ ...seam, participants: main, invoke });
  const answers = responses.filter((response) => response.status === 'ok');
  const evaluations = await Promise.all(evaluators.map((evaluator) => invoke(evaluator, answers)));
  return [...responses, ...evaluations];
}

/**
 * What a participant's call is for in a round under a strategy, for its activity id and summary:
 * `evaluate` (evaluators), `moderate` (moderators under moderatorLed), `supervise` (supervisors
 * under hierarchical), else `answer`. A strategy's other calls name their own phase (`synthesis`,
 * `assign`: see CallPurpose), so every call of a round keeps a distinct id.
 */
export function phaseOf(strategy: OrchestrationStrategy, participant: ParticipantSpec): string {
  if (participant.role === 'evaluator') return 'evaluate';
  if (strategy === 'moderatorLed' && participant.role === 'moderator') return 'moderate';
  if (strategy === 'hierarchical' && participant.role === 'supervisor') return 'supervise';
  return 'answer';
}

/**
 * The participant a strategy calls twice a round, or undefined: under moderatorLed the first
 * moderator to have joined (it also synthesizes the others' responses, when there are others), under
 * hierarchical the first supervisor (it also assigns the workers' tasks). `main` in order of joining.
 */
export function leadOf(
  strategy: OrchestrationStrategy,
  main: readonly ParticipantSpec[],
): ParticipantSpec | undefined {
  if (strategy === 'moderatorLed' && main.some((p) => p.role !== 'moderator')) {
    return main.find((p) => p.role === 'moderator');
  }
  if (strategy === 'hierarchical') return main.find((p) => p.role === 'supervisor');
  return undefined;
}
