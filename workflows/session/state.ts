import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../../common/failures';
import { ZERO_USAGE } from '../../common/llm';
import {
  participantSpecSchema,
  type ParticipantSpec,
  type ParticipantSpecInput,
} from '../../common/participants';
import {
  SESSION_SCHEMA_VERSION,
  sessionConfigSchema,
  type ParticipantRecord,
  type SessionConfigInput,
  type SessionState,
  type SessionView,
} from '../../common/session';
import { LIMITS } from '../../common/defaults';
import { jsonBytes } from '../../common/size';
import { zodProblem } from '../../common/validation';
import { budgetProblems, emptyLedger, sessionBudgetProblems } from '../../common/budget';
import { sessionQuorumProblem } from '../../common/quorum';
import { localCallTimerProblems } from '../../common/localCall';
import { viewOfLedger } from '../shared/budget';
import { invalid } from '../shared/invalid';
import { readAsTaken } from '../../common/laterChecks';

/** A fresh state from a client's config; throws an InvalidRequest failure on bad input. */
export function initialState(configInput: SessionConfigInput): SessionState {
  // Input its client checked (laterChecks.ts): a start replays as it ran.
  return readAsTaken(() => stateOf(configInput));
}

function stateOf(configInput: SessionConfigInput): SessionState {
  const parsed = sessionConfigSchema.safeParse(configInput);
  if (!parsed.success) throw invalid(`invalid session config: ${zodProblem(parsed.error)}`);
  const { participants, ...config } = parsed.data;
  const quorum = sessionQuorumProblem(parsed.data);
  if (quorum) throw invalid(`invalid session config: ${quorum}`);
  const problems = sessionBudgetProblems(parsed.data);
  if (problems.length > 0) throw invalid(`invalid session config: ${problems.join('; ')}`);
  const state: SessionState = {
    schemaVersion: SESSION_SCHEMA_VERSION,
    config,
    participants: [],
    joinCounter: 0,
    round: 0,
    transcript: [],
    usage: { ...ZERO_USAGE },
    closed: false,
    runs: 1,
  };
  for (const spec of participants) addParticipant(state, spec);
  return state;
}

/** The parsed spec of a participant that may join, or an InvalidRequest failure saying why not. */
export function validateParticipant(state: SessionState, input: ParticipantSpecInput): ParticipantSpec {
  const parsed = participantSpecSchema.safeParse(input);
  if (!parsed.success) throw invalid(`invalid participant: ${zodProblem(parsed.error)}`);
  if (findParticipant(state, parsed.data.name)) {
    throw invalid(`a participant named "${parsed.data.name}" is already in the session: pick another name`);
  }
  const [local] = localCallTimerProblems([parsed.data], state.config);
  if (local) throw invalid(`invalid participant: ${local.message}`);
  const problems = budgetProblems(state.config.budget, [parsed.data]);
  if (problems.length > 0) throw invalid(`invalid participant: ${problems.join('; ')}`);
  return parsed.data;
}

/** Validates and adds a participant; names are unique. */
export function addParticipant(state: SessionState, input: ParticipantSpecInput): ParticipantRecord {
  const spec = validateParticipant(state, input);
  state.joinCounter += 1;
  const record: ParticipantRecord = {
    spec,
    joinedAt: state.joinCounter,
    history: [],
    usage: { ...ZERO_USAGE },
  };
  state.participants.push(record);
  return record;
}

export function findParticipant(state: SessionState, name: string): ParticipantRecord | undefined {
  return state.participants.find((record) => record.spec.name === name);
}

/** The participant with this name, or an InvalidRequest failure listing the names there are. */
export function requireParticipant(state: SessionState, name: string): ParticipantRecord {
  const record = findParticipant(state, name);
  if (record) return record;
  const names = state.participants.map((p) => p.spec.name).join(', ') || 'none';
  // Quoted as JSON: a control character in the name shows, where a terminal would drop it.
  throw invalid(`no participant named ${JSON.stringify(name)} in this session (participants: ${names})`);
}

/**
 * A strategy's memory in the carried state: what it wrote last (a copy, so later changes to the
 * strategy's own object do not bypass the bound), at most LIMITS.maxStrategyStateBytes.
 */
export function strategyMemory(
  state: SessionState,
  strategy: string,
): { read(): unknown; write(value: unknown): void } {
  return {
    read: () => state.strategyState?.[strategy],
    write(value) {
      const bytes = jsonBytes(value);
      if (bytes > LIMITS.maxStrategyStateBytes) {
        throw ApplicationFailure.create({
          type: FailureType.StrategyStateTooLarge,
          message: `strategy ${strategy} tried to keep ${bytes} bytes between rounds, over LIMITS.maxStrategyStateBytes (${LIMITS.maxStrategyStateBytes})`,
          nonRetryable: true,
        });
      }
      state.strategyState = {
        ...state.strategyState,
        [strategy]: JSON.parse(JSON.stringify(value)) as unknown,
      };
    },
  };
}

/** The query view of a session; `roundsWaiting` counts the rounds asked for that have not begun. */
export function viewOf(
  state: SessionState,
  activeRound: SessionView['activeRound'],
  roundsWaiting = 0,
): SessionView {
  const { selector, budget } = state.config;
  const otherModels = [selector?.model, budget?.downgradeTo].filter((model) => model !== undefined);
  return {
    strategy: state.config.strategy,
    systemPrompt: state.config.systemPrompt,
    maxTokens: state.config.maxTokens,
    round: state.round,
    closed: state.closed,
    runs: state.runs,
    usage: state.usage,
    participants: state.participants.map((p) => ({
      spec: p.spec,
      usage: p.usage,
      historyLength: p.history.length,
      historyDropped: p.historyDropped ?? 0,
    })),
    activeRound,
    ...(roundsWaiting > 0 && { roundsWaiting }),
    transcriptLength: (state.transcriptDropped ?? 0) + state.transcript.length,
    transcriptDropped: state.transcriptDropped ?? 0,
    ...(state.config.budget && { budget: viewOfLedger(state.config.budget, state.ledger ?? emptyLedger()) }),
    ...(otherModels.length > 0 && { otherModels }),
  };
}
