import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation } from '@temporalio/client';
import {
  BUDGET_KEEPER_WORKFLOW,
  budgetKeeperId,
  requestGrantUpdate,
  type Grant,
} from '../common/budgetKeeperApi';
import type { RunLimits, ScheduledPeriodBudget } from '../common/periodBudget';

/** The input of the `requestPeriodGrant` activity: the run, its schedule's period budget, its own limits. */
export interface PeriodGrantRequest {
  runId: string;
  periodBudget: ScheduledPeriodBudget;
  want: RunLimits;
}

/**
 * Asks the schedule's budget keeper for a run's grant, starting the keeper if none runs
 * (update-with-start, on the worker's own client and task queue). Workflow code cannot send an
 * update to another workflow, so an activity does; a retry asks again under the same run id and
 * gets the same grant.
 */
export async function requestPeriodGrant(request: PeriodGrantRequest): Promise<Grant> {
  const { client, info } = Context.current();
  const { scheduleId, ...budget } = request.periodBudget;
  const keeper = new WithStartWorkflowOperation(BUDGET_KEEPER_WORKFLOW, {
    workflowId: budgetKeeperId(scheduleId),
    taskQueue: info.taskQueue,
    args: [{ budget }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return client.workflow.executeUpdateWithStart(requestGrantUpdate, {
    args: [{ runId: request.runId, want: request.want }],
    startWorkflowOperation: keeper,
  });
}
