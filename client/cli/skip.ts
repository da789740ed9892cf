import type { Command } from 'commander';
import { skipExpert } from '../api/council';
import { CouncilUserError } from '../../common/userError';
import { requireRunning, type FoundRun } from '../api/runs';
import { MultiParticipantSession } from '../api/session';
import { connectionFlags, withConnectionOptions } from './options';
import { withServedWorkflow } from './workflows';
import { raiseHint } from './events';
import { listedCommand } from './help';

/**
 * `council skip <id> <name>`: cancels the call in flight of a session's participant (by name) or a
 * council's expert (by id); its turn is recorded as `skipped` and the round goes on without it.
 */
export function skipCommand(): Command {
  const command = listedCommand('skip')
    .argument('<id>', 'session or council id')
    .argument('<name>', "the session participant's name, or the council expert's id");
  withConnectionOptions(command);
  return command.action(async (id: string, name: string, options: Record<string, unknown>) => {
    // A worker serves the run (it must, for the run to take the update) only once it is known to run.
    const running = (found: FoundRun) =>
      requireRunning(found, `it has no call to skip: see \`council show ${id}\``);
    await withServedWorkflow(
      connectionFlags(options),
      id,
      async (found, runtime) => {
        if (found.kind === 'council') {
          const skip = await skipExpert(runtime.client, id, name);
          const calls =
            skip.cancelledCalls === 1 ? 'its call' : `its ${skip.cancelledCalls} calls (with its backup)`;
          process.stdout.write(
            `Skipped expert ${name} in round ${skip.round} of council ${id}: ${calls} cancelled\n`,
          );
          return;
        }
        const session = await MultiParticipantSession.attach(runtime.client, id);
        if (!(await session.skipParticipant(name))) {
          // A call an `ask` budget holds has not begun: the budget's decision ends its wait.
          const { budget } = await session.view();
          const held = budget?.waiting?.participant === name;
          throw new CouncilUserError(
            held
              ? `participant "${name}" of session ${id} has no call in flight: its call waits for a budget decision`
              : `participant "${name}" of session ${id} has no call in flight`,
            held
              ? `refuse it with \`council budget stop ${id}\`, or let it go on with \`${raiseHint(id, budget?.limit)}\``
              : `skip it while its round runs: see \`council attach ${id}\``,
          );
        }
        process.stdout.write(`Skipped ${name} in session ${id}: its call was cancelled\n`);
      },
      running,
      // It cancels one call and exits: the others stay with the worker that serves them.
      'none',
    );
  });
}
