import { Argument, Command, Option } from 'commander';
import {
  ORCHESTRATION_STRATEGIES,
  PARTICIPANT_ROLES,
  type OrchestrationStrategy,
  type ParticipantRole,
} from '../../common/participants';
import { printable } from '../../common/printable';
import { PROVIDERS } from '../../common/providers';
import { CouncilUserError } from '../../common/userError';
import { requireRunning, type FoundRun } from '../api/runs';
import { MultiParticipantSession } from '../api/session';
import { connectionFlags, withConnectionOptions } from './options';
import { withServedWorkflow, type RunCalls } from './workflows';
import { countOf, modelOfFlag, priceFlagOf, priorityOf, refuseUnbudgeted } from './participantFlags';

/**
 * Runs `change` on a running session, served as `calls` says; a council or an ended session is
 * refused before a worker starts for it.
 */
async function changeSession(
  id: string,
  options: Record<string, unknown>,
  change: (session: MultiParticipantSession) => Promise<string>,
  calls: RunCalls,
): Promise<void> {
  const check = (found: FoundRun) => {
    if (found.kind === 'council') {
      throw new CouncilUserError(
        `${id} is a council: its experts are fixed when it starts`,
        'start a council with the experts it needs',
      );
    }
    requireRunning(found, 'start a new session');
  };
  await withServedWorkflow(
    connectionFlags(options),
    id,
    async (_found, runtime) => {
      const said = await change(await MultiParticipantSession.attach(runtime.client, id));
      process.stdout.write(`${printable(said)}\n`);
    },
    check,
    calls,
  );
}

/** `council session add <id> <name> --model provider:model`: a participant joins from the next round. */
function addCommand(): Command {
  const command = new Command('add')
    .description(
      "add a participant to a running session: it answers from the next round (the worker's provider policy checks its model)",
    )
    .argument('<id>', 'session id')
    .argument('<name>', "the participant's name")
    .requiredOption(
      '--model <provider:model>',
      `e.g. openai:gpt-4o-mini (providers: ${PROVIDERS.join(', ')})`,
    )
    .addOption(
      new Option('--role <role>', 'the participant role').choices(PARTICIPANT_ROLES).default('panelist'),
    )
    .option('--priority <n>', 'its priority (the custom strategy calls the highest first)')
    .option('--base-url <url>', "the model's server (openai-compatible needs one)")
    .option(
      '--max-output-tokens <n>',
      'the most tokens one answer may take (a session under a budget needs it)',
    )
    .option(
      '--price <input,output>',
      'dollars per million input and output tokens, e.g. 0.15,0.6 (a model without a listed price, under a money budget)',
    );
  withConnectionOptions(command);
  type AddOptions = {
    model: string;
    role: string;
    priority?: string;
    baseUrl?: string;
    maxOutputTokens?: string;
    price?: string;
  };
  return command.action(async (id: string, name: string, options: AddOptions & Record<string, unknown>) => {
    const price = priceFlagOf(options.price);
    const model = { ...modelOfFlag(options.model, options.baseUrl), ...(price && { price }) };
    const priority = priorityOf(options.priority);
    const maxOutputTokens = countOf(options.maxOutputTokens, 'max-output-tokens');
    const extras = maxOutputTokens === undefined ? {} : { maxOutputTokens };
    const role = options.role as ParticipantRole;
    await changeSession(
      id,
      options,
      async (session) => {
        refuseUnbudgeted((await session.view()).budget?.limit, name, { ...extras, model });
        const added =
          priority === undefined
            ? await session.addParticipant(name, model, role, extras)
            : await session.addParticipantWithPriority(name, model, role, priority, extras);
        return `Added ${added.name} (${added.role}, ${added.model.provider}:${added.model.model}) to session ${id}`;
      },
      'checked',
    );
  });
}

function removeCommand(): Command {
  const command = new Command('remove')
    .description('remove a participant from a running session (its answers stay in the transcript)')
    .argument('<id>', 'session id')
    .argument('<name>', "the participant's name");
  withConnectionOptions(command);
  return command.action(async (id: string, name: string, options: Record<string, unknown>) => {
    await changeSession(
      id,
      options,
      async (session) => `Removed ${(await session.removeParticipant(name)).name} from session ${id}`,
      'none',
    );
  });
}

function roleCommand(): Command {
  const command = new Command('role')
    .description("change a participant's role (and priority); it keeps its history")
    .argument('<id>', 'session id')
    .argument('<name>', "the participant's name")
    .addArgument(new Argument('<role>', 'the new role').choices(PARTICIPANT_ROLES))
    .option('--priority <n>', 'its new priority');
  withConnectionOptions(command);
  return command.action(
    async (
      id: string,
      name: string,
      role: string,
      options: { priority?: string } & Record<string, unknown>,
    ) => {
      const priority = priorityOf(options.priority);
      await changeSession(
        id,
        options,
        async (session) => {
          const changed = await session.setParticipantRole(name, role as ParticipantRole, priority);
          return `${changed.name} is now ${changed.role}${priority !== undefined ? ` (priority ${changed.priority})` : ''} in session ${id}`;
        },
        'none',
      );
    },
  );
}

function strategyCommand(): Command {
  const command = new Command('strategy')
    .description("change a running session's orchestration strategy, from its next round")
    .argument('<id>', 'session id')
    .addArgument(new Argument('<strategy>', 'the new strategy').choices(ORCHESTRATION_STRATEGIES));
  withConnectionOptions(command);
  return command.action(async (id: string, strategy: string, options: Record<string, unknown>) => {
    await changeSession(
      id,
      options,
      async (session) =>
        `Session ${id} now plays ${await session.setOrchestrationStrategy(strategy as OrchestrationStrategy)}`,
      'none',
    );
  });
}

/** The seed's session management from the command line: add, remove, role, strategy. */
export function sessionManageCommands(): Command[] {
  return [addCommand(), removeCommand(), roleCommand(), strategyCommand()];
}
