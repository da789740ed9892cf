import { Command } from 'commander';
import type { BudgetView } from '../../common/budget';
import type { RaiseBudgetInput } from '../../common/budgetRaise';
import { CouncilUserError } from '../../common/userError';
import { MultiParticipantSession } from '../api/session';
import { connectionFlags, withConnectionOptions } from './options';
import { withServedWorkflow } from './workflows';
import { listedCommand } from './help';

/** `council budget raise|stop`: a person's answer to a session's budget. */
export function budgetCommand(): Command {
  const budget = listedCommand('budget');
  budget.addCommand(raiseCommand());
  budget.addCommand(stopCommand());
  return budget;
}

interface RaiseOptions {
  byUsd?: string;
  toUsd?: string;
  byTokens?: string;
  toTokens?: string;
}

function raiseCommand(): Command {
  const command = new Command('raise')
    .description('raise the budget; a waiting call goes on once it fits, a spent budget takes rounds again')
    .argument('<id>', 'session id')
    .option('--by-usd <n>', 'add this many dollars to maxCostUsd')
    .option('--to-usd <n>', 'set maxCostUsd to this many dollars (no lower than now)')
    .option('--by-tokens <n>', 'add this many tokens to maxTokens')
    .option('--to-tokens <n>', 'set maxTokens to this many tokens (no lower than now)');
  withConnectionOptions(command);
  return command.action(async (id: string, options: RaiseOptions & Record<string, unknown>) => {
    const raise = raiseOf(options);
    await onSession(
      options,
      id,
      async (session) => `Raised the budget of session ${id}: ${describe(await session.raiseBudget(raise))}`,
    );
  });
}

/** Serves session `id` (refusing a council before any worker starts), acts on it, prints the outcome. */
async function onSession(
  options: Record<string, unknown>,
  id: string,
  act: (session: MultiParticipantSession) => Promise<string>,
): Promise<void> {
  await withServedWorkflow(
    connectionFlags(options),
    id,
    async (_found, runtime) => {
      process.stdout.write(`${await act(await MultiParticipantSession.attach(runtime.client, id))}\n`);
    },
    (found) => requireSession(found.kind, id),
    // It changes the budget and exits: the run's calls stay with the worker that serves them.
    'none',
  );
}

function stopCommand(): Command {
  const command = new Command('stop')
    .description('stop the budget: no further call is made, a waiting call is refused')
    .argument('<id>', 'session id');
  withConnectionOptions(command);
  return command.action(async (id: string, options: Record<string, unknown>) => {
    await onSession(
      options,
      id,
      async (session) => `Stopped the budget of session ${id}: ${describe(await session.stopBudget())}`,
    );
  });
}

/** The one raise the flags ask for, its number checked; a missing or doubled flag is a user error. */
function raiseOf(options: RaiseOptions): RaiseBudgetInput {
  const given = (['byUsd', 'toUsd', 'byTokens', 'toTokens'] as const).filter(
    (key) => options[key] !== undefined,
  );
  const [key] = given;
  if (key === undefined || given.length > 1) {
    throw new CouncilUserError(
      'give exactly one of --by-usd, --to-usd, --by-tokens, --to-tokens',
      'e.g. `council budget raise ID --by-usd 0.5`',
    );
  }
  // Decimal notation only: Number() also reads hex (0x10 is 16), binary and exponents.
  const text = String(options[key]).trim();
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new CouncilUserError(
      `${flag} ${JSON.stringify(text)} is not a positive number in decimal notation, e.g. 0.5 or 20000`,
    );
  }
  return { [key]: value };
}

function requireSession(kind: 'session' | 'council', id: string): void {
  if (kind !== 'session') {
    throw new CouncilUserError(
      `"${id}" is a council: its budget is set in its config and cannot be raised or stopped while it runs`,
      'only a session waits for a raise or a stop (`onExhausted: ask`); start the council again with a larger `budget`',
    );
  }
}

function describe(view: BudgetView): string {
  const limit = [
    view.limit.maxCostUsd !== undefined ? `$${view.limit.maxCostUsd}` : undefined,
    view.limit.maxTokens !== undefined ? `${view.limit.maxTokens} tokens` : undefined,
  ].filter((part) => part !== undefined);
  const state = view.stopped ? `stopped (${view.stopped})` : view.exhausted ? 'exhausted' : 'open';
  return `limit ${limit.join(', ')}, spent ${view.spent.tokens} tokens, $${view.spent.usd.toFixed(6)}; ${state}`;
}
