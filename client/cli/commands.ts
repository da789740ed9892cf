import type { Command } from 'commander';
import { COMMAND_HELP, type CommandHelp } from './help';

/**
 * One row of the command table: its help, and how to load the command itself. Loading a command
 * pulls in the Temporal SDK, the providers' SDKs and zod schemas (about a second of CPU), so only the
 * command that runs is loaded; the others stay a name and a line of help.
 * test/cli/start.test.ts checks that each `term` matches the loaded command.
 */
export interface CommandEntry extends CommandHelp {
  load(): Promise<Command>;
}

/** How to load each command commands.json lists. */
const LOADERS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./run')).runCommand(),
  resynthesize: async () => (await import('./councilResynthesize')).resynthesizeCommand(),
  // One command tree: attach, send, show, list, cancel and skip work on a session or a council alike;
  // `council session …` keeps them as aliases.
  attach: async () => (await import('./sessionAttach')).attachCommand(),
  send: async () => (await import('./sessionSend')).sendCommand(),
  show: async () => (await import('./sessionShow')).showCommand(),
  list: async () => (await import('./sessionShow')).listCommand(),
  cancel: async () => (await import('./session')).cancelCommand(),
  skip: async () => (await import('./skip')).skipCommand(),
  session: async () => (await import('./session')).sessionCommand(),
  budget: async () => (await import('./budget')).budgetCommand(),
  schedule: async () => (await import('./schedule')).scheduleCommand(),
  worker: async () => (await import('./worker')).workerCommand(),
  server: async () => (await import('./server')).serverCommand(),
  config: async () => (await import('./configCommands')).configCommand(),
  estimate: async () => (await import('./estimate')).estimateCommand(),
  gc: async () => (await import('./blobs')).gcCommand(),
  'codec-server': async () => (await import('./blobs')).codecServerCommand(),
  ui: async () => (await import('./ui')).uiCommand(),
};

/** Every `council` command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandEntry[] = COMMAND_HELP.map((help) => {
  const load = LOADERS[help.name];
  if (!load)
    throw new Error(`client/cli/commands.json lists "${help.name}", which has no loader in commands.ts`);
  return { ...help, load };
});
const unlisted = Object.keys(LOADERS).filter((name) => !COMMANDS.some((entry) => entry.name === name));
if (unlisted.length > 0)
  throw new Error(`commands.ts loads ${unlisted.join(', ')}, which commands.json does not list`);

/**
 * The command `argv` runs (`council help X` asks for X's help, so X), or undefined for the
 * program's own help. The program's only options (-v, -h) take no value, so the first word that
 * is not an option names the command.
 */
export function requestedCommand(argv: readonly string[]): string | undefined {
  const words = argv.slice(2).filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}
