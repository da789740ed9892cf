import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
} from '@temporalio/workflow';
import { patched } from '../shared/patches';
import type { SendMessageInput, SessionConfigInput, SessionState, SessionView } from '../../common/session';
import { jsonBytes } from '../../common/size';
import { CANCELLED_RUN_PATCH } from '../shared/callModel';
import { fitCarriedState } from './bounds';
import { registerSessionHandlers } from './handlers';
import { SessionRun } from './run';
import { viewOf } from './state';
import type { ScheduledPeriodBudget } from '../../common/periodBudget';
import { PERIOD_BUDGET_PATCH, takePeriodGrant } from '../shared/periodGrant';

/** Patch id of {@link SessionWorkflowInput.closeAfterFirstRound}: runs of older code ignored the flag. */
const CLOSE_AFTER_FIRST_ROUND_PATCH = 'session-close-after-first-round';

/** Input of {@link sessionWorkflow}: a config for a new session, or the state carried from the last run. */
export interface SessionWorkflowInput {
  config: SessionConfigInput;
  state?: SessionState;
  /** Play one round with this message, then close: a session that completes on its own (schedules). */
  oneShot?: SendMessageInput;
  /**
   * Close once the first round, sent by update (`council run` uses update-with-start), has been
   * played: the session ends even if the client that asked is gone.
   */
  closeAfterFirstRound?: boolean;
  /** A scheduled run's share of its schedule's period budget: asked for before the one-shot round. */
  periodBudget?: ScheduledPeriodBudget;
}

/**
 * A long-lived multi-participant session. Rounds run one at a time through the `sendMessage`
 * update; participants and strategy change through updates; the session continues-as-new when
 * the server suggests it, carrying its whole state.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<SessionView> {
  const run = new SessionRun(input.config, input.state);
  const { state, turns } = run;
  registerSessionHandlers(
    run,
    input.periodBudget && {
      raiseRefusal: "this run's budget is its grant from the schedule's periodBudget: it cannot be raised",
    },
  );

  try {
    const refusal = run.startCheck && (await run.startCheck);
    if (refusal) {
      await condition(allHandlersFinished);
      throw refusal;
    }
    if (input.oneShot && !input.state) {
      run.checkMessage(run.asRunReadsIt(input.oneShot));
      const grant =
        input.periodBudget && patched(PERIOD_BUDGET_PATCH)
          ? await takePeriodGrant(
              { kind: 'session', budget: state.config.budget, ledger: () => state.ledger },
              input.periodBudget,
            )
          : undefined;
      try {
        await run.playInTurn(input.oneShot);
      } finally {
        await grant?.settle();
      }
      await run.close();
    }
    if (input.closeAfterFirstRound && !input.state && patched(CLOSE_AFTER_FIRST_ROUND_PATCH)) {
      await condition(() => turns.anyServed() || state.closed);
      if (!state.closed) await run.close();
    }
    await condition(() => state.closed || turns.runFull(state.round));
    await condition(allHandlersFinished);
  } catch (error) {
    // A round cut short ends its handler (which publishes `idle`) before the session says
    // `cancelled`: the cancellation must be the last command. Older histories did not wait.
    if (isCancellation(error) && patched(CANCELLED_RUN_PATCH)) {
      await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    }
    if (isCancellation(error)) run.markCancelled();
    throw error;
  }
  if (state.closed) return viewOf(state, undefined);
  // The state holds the participants: the config's initial list would only double the input.
  const next = (): SessionWorkflowInput => ({
    config: { ...input.config, participants: [] },
    state: { ...state, runs: state.runs + 1 },
  });
  fitCarriedState(state, () => jsonBytes(next()));
  return continueAsNew<typeof sessionWorkflow>(next());
}
