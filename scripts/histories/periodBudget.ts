import { WithStartWorkflowOperation } from '@temporalio/client';
import {
  BUDGET_KEEPER_WORKFLOW,
  budgetKeeperId,
  requestGrantUpdate,
  returnGrantSignal,
} from '../../common/budgetKeeperApi';
import { COUNCIL_SCHEMA_VERSION } from '../../common/council';
import type { councilWorkflow, sessionWorkflow } from '../../workflows';
import { dearModel } from '../../test/helpers/pricedModels';
import { idSuffix, saveHistory, TASK_QUEUE, type Recording } from './record';

/** One run the way a schedule starts it: a one-shot session of one $1-worst-case call under a $1 budget. */
async function scheduledRun(recording: Recording, scheduleId: string, runId: string) {
  const periodBudget = { scheduleId, period: 'day' as const, maxCostUsd: 1.5 };
  const config = {
    strategy: 'broadcast' as const,
    budget: { maxCostUsd: 1 },
    participants: [
      {
        name: 'A',
        role: 'panelist' as const,
        model: dearModel,
        maxOutputTokens: 1000,
        retry: { maximumAttempts: 1 },
      },
    ],
  };
  const handle = await recording.client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
    workflowId: runId,
    taskQueue: TASK_QUEUE,
    args: [{ config, oneShot: { role: 'user', content: 'Daily question' }, periodBudget }],
  });
  await handle.result().catch(() => undefined);
}

/**
 * A schedule's period budget of $1.5: a run is granted its $1, spends a little and returns the
 * rest (`session-period-budget`); another holder takes all that is left, so the next run is granted
 * nothing and ends at once (`session-period-spent`); the keeper's history (`budget-keeper`) holds
 * the grants and returns.
 */
export async function recordPeriodBudget(recording: Recording) {
  const scheduleId = `replay-period${idSuffix(recording)}`;
  const granted = `${scheduleId}-granted`;
  const spent = `${scheduleId}-spent`;
  await scheduledRun(recording, scheduleId, granted);
  const keeper = new WithStartWorkflowOperation(BUDGET_KEEPER_WORKFLOW, {
    workflowId: budgetKeeperId(scheduleId),
    taskQueue: TASK_QUEUE,
    args: [{ budget: { period: 'day', maxCostUsd: 1.5 } }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  await recording.client.workflow.executeUpdateWithStart(requestGrantUpdate, {
    args: [{ runId: 'holder', want: { maxCostUsd: 1.5 } }],
    startWorkflowOperation: keeper,
  });
  await scheduledRun(recording, scheduleId, spent);
  await recording.client.workflow
    .getHandle(budgetKeeperId(scheduleId))
    .signal(returnGrantSignal, { runId: 'holder', spent: { tokens: 0, usd: 0 } });
  await saveHistory(recording, granted, 'session-period-budget');
  await saveHistory(recording, spent, 'session-period-spent');
  await saveHistory(recording, budgetKeeperId(scheduleId), 'budget-keeper');
}

/** One council run the way a schedule starts it: two experts and a synthesis, $1 worst case each, under $3. */
async function scheduledCouncil(recording: Recording, scheduleId: string, runId: string) {
  const bounded = { model: dearModel, maxOutputTokens: 1000, retry: { maximumAttempts: 1 } };
  const context = {
    task: 'Daily question',
    mode: 'parallel' as const,
    activeExperts: ['Analyst', 'Critic'].map((name) => ({ id: name.toLowerCase(), name, ...bounded })),
    synthesisConfig: { name: 'Synthesizer', ...bounded },
    budget: { maxCostUsd: 3 },
  };
  const handle = await recording.client.workflow.start<typeof councilWorkflow>('councilWorkflow', {
    workflowId: runId,
    taskQueue: TASK_QUEUE,
    args: [
      {
        schemaVersion: COUNCIL_SCHEMA_VERSION,
        context,
        periodBudget: { scheduleId, period: 'day', maxCostUsd: 4 },
      },
    ],
  });
  await handle.result().catch(() => undefined);
}

/**
 * A council schedule's period budget of $4: a council is granted its $3, spends a little and
 * returns the rest (`council-period-budget`); a holder takes all that is left, so the next council
 * is granted nothing and ends before any call (`council-period-spent`).
 */
export async function recordCouncilPeriodBudget(recording: Recording) {
  const scheduleId = `replay-council-period${idSuffix(recording)}`;
  const granted = `${scheduleId}-granted`;
  const spent = `${scheduleId}-spent`;
  await scheduledCouncil(recording, scheduleId, granted);
  await recording.client.workflow
    .getHandle(budgetKeeperId(scheduleId))
    .executeUpdate(requestGrantUpdate, { args: [{ runId: 'holder', want: { maxCostUsd: 4 } }] });
  await scheduledCouncil(recording, scheduleId, spent);
  await saveHistory(recording, granted, 'council-period-budget');
  await saveHistory(recording, spent, 'council-period-spent');
  await recording.client.workflow.getHandle(budgetKeeperId(scheduleId)).terminate('recorded');
}
