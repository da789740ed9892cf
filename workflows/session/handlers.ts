import { setHandler } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import { LIMITS } from '../../common/defaults';
import { readAsTaken } from '../../common/laterChecks';
import { nameKey } from '../../common/names';
import { ORCHESTRATION_STRATEGIES } from '../../common/participants';
import { PROVIDER_POLICY_PATCH } from '../../common/policy';
import { sessionQuorumProblem } from '../../common/quorum';
import { missingSelectorProblem } from '../../common/selector';
import { setParticipantRoleSchema, transcriptRequestSchema } from '../../common/session';
import * as sessionApi from '../../common/sessionApi';
import { sessionProgressQuery } from '../../common/sessionProgress';
import { zodProblem } from '../../common/validation';
import { invalid } from '../shared/invalid';
import { registerBudgetHandlers } from './budgetHandlers';
import { progressPage } from './progress';
import { transcriptFrom } from './roundRecords';
import type { SessionRun } from './run';
import { addParticipant, findParticipant, requireParticipant, validateParticipant, viewOf } from './state';

/**
 * The session's update and query handlers. Every update counts towards the run's continue-as-new
 * limit. Registered in this order: an update that arrives with the run's first task is delivered as
 * its handler is registered, so the order decides which of them goes first.
 */
/** `raiseRefusal`: why a budget raise is refused (a scheduled run's budget is its period grant). */
export function registerSessionHandlers(run: SessionRun, options: { raiseRefusal?: string } = {}): void {
  const { state, turns, status } = run;

  setHandler(
    sessionApi.sendMessageUpdate,
    (request) => {
      turns.counted();
      return run.playInTurn(request);
    },
    { validator: (request) => run.checkMessage(request) },
  );

  setHandler(
    sessionApi.addParticipantUpdate,
    (spec) => {
      turns.counted();
      // Histories from before the policy check add at once, with no command in between.
      if (patched(PROVIDER_POLICY_PATCH)) return run.addChecked(spec);
      const added = readAsTaken(() => addParticipant(state, spec)).spec;
      status.showDetails();
      return added;
    },
    {
      validator: (spec) => {
        run.acceptingUpdates();
        const { name } = validateParticipant(state, spec);
        // These two in the validator only: a refused update is in no history, so earlier sessions replay as they ran.
        const alike = state.participants.find((p) => nameKey(p.spec.name) === nameKey(name));
        if (alike) {
          throw invalid(
            `"${name}" differs from the participant "${alike.spec.name}" only in case or accents' encoding: pick another name`,
          );
        }
        if (state.participants.length >= LIMITS.maxParticipants) {
          throw invalid(
            `the session has ${LIMITS.maxParticipants} participants, the most it takes: remove one first`,
          );
        }
      },
    },
  );

  setHandler(
    sessionApi.removeParticipantUpdate,
    (name) => {
      turns.counted();
      const record = requireParticipant(state, name);
      state.participants = state.participants.filter((p) => p !== record);
      status.showDetails();
      return record.spec;
    },
    { validator: (name) => void requireParticipant(state, name) },
  );

  setHandler(
    sessionApi.setParticipantRoleUpdate,
    (request) => {
      turns.counted();
      const { name, role, priority } = setParticipantRoleSchema.parse(request);
      const record = requireParticipant(state, name);
      // A new spec object: a round in progress keeps the one it started with.
      record.spec = { ...record.spec, role, priority: priority ?? record.spec.priority };
      return record.spec;
    },
    {
      validator: (request) => {
        run.acceptingUpdates();
        const parsed = setParticipantRoleSchema.safeParse(request);
        if (!parsed.success) throw invalid(`invalid role change: ${zodProblem(parsed.error)}`);
        requireParticipant(state, parsed.data.name);
      },
    },
  );

  setHandler(
    sessionApi.setStrategyUpdate,
    (strategy) => {
      turns.counted();
      state.config.strategy = strategy;
      status.publish();
      status.showDetails();
      return strategy;
    },
    {
      validator: (strategy) => {
        run.acceptingUpdates();
        if (!ORCHESTRATION_STRATEGIES.includes(strategy)) {
          throw invalid(
            `unknown strategy "${strategy}": expected one of ${ORCHESTRATION_STRATEGIES.join(', ')}`,
          );
        }
        const quorum = sessionQuorumProblem({ ...state.config, strategy });
        if (quorum) throw invalid(`cannot change strategy: ${quorum}`);
        const selector = missingSelectorProblem(strategy, state.config.selector);
        if (selector)
          throw invalid(`cannot change strategy: ${selector}, which this session was started without`);
      },
    },
  );

  setHandler(
    sessionApi.skipParticipantUpdate,
    (name) => {
      turns.counted();
      const scope = run.inFlight.get(name);
      scope?.cancel();
      return scope !== undefined;
    },
    { validator: (name) => void requireParticipant(state, name) },
  );

  setHandler(sessionApi.stopRoundUpdate, () => {
    turns.counted();
    turns.stopRequested = turns.running;
    return turns.running;
  });

  setHandler(sessionApi.closeSessionUpdate, () => {
    turns.counted();
    return run.close();
  });

  registerBudgetHandlers(state, run.budgetAsk, {
    acceptingUpdates: () => run.acceptingUpdates(),
    counted: () => turns.counted(),
    changed: () => status.showDetails(),
    ...(options.raiseRefusal !== undefined && { raiseRefusal: options.raiseRefusal }),
  });

  setHandler(sessionApi.sessionViewQuery, () => viewOf(state, status.active, turns.waiting));
  setHandler(sessionApi.participantQuery, (name) => findParticipant(state, name) ?? null);
  setHandler(sessionApi.transcriptQuery, (options) => {
    const request = transcriptRequestSchema.safeParse(options ?? {});
    if (!request.success) throw invalid(`invalid transcript request: ${zodProblem(request.error)}`);
    return transcriptFrom(state, request.data.fromIndex);
  });
  setHandler(sessionProgressQuery, (request) => progressPage(state, request));
}
