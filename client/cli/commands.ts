import type { Command } from 'commander';

/**
 * One row of the command table: what `council --help` lists, and how to load the command itself.
 * Loading a command pulls in the Temporal SDK, the providers' SDKs and zod schemas (about a second
 * of CPU), so only the command that runs is loaded; the others stay a name and a line of help.
 * test/cli/commands.test.ts checks that `term` and `description` match the loaded command.
 */
export interface CommandEntry {
  name: string;
  /** The command as `council --help` lists it: its name, [options] and arguments. */
  term: string;
  description: string;
  load(): Promise<Command>;
}

/** Every `council` command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    term: 'run [options] [question]',
    description: 'ask a session or council one question and print the answers as they arrive',
    load: async () => (await import('./run')).runCommand(),
  },
  {
    name: 'resynthesize',
    term: 'resynthesize [options] <id>',
    description:
      "re-synthesize (and re-rank) a completed council's answers, or a session round's, without asking again",
    load: async () => (await import('./councilResynthesize')).resynthesizeCommand(),
  },
  // One command tree: these work on a session or a council alike; `council session …` keeps them as aliases.
  {
    name: 'attach',
    term: 'attach [options] <id>',
    description: 'reconnect to a running session or council, follow it and print its result',
    load: async () => (await import('./sessionAttach')).attachCommand(),
  },
  {
    name: 'send',
    term: 'send [options] <id> <message>',
    description:
      "send a message: a round of a session (answers as they arrive), or a person's message to a council",
    load: async () => (await import('./session')).sendCommand(),
  },
  {
    name: 'show',
    term: 'show [options] <id>',
    description:
      "print a session's transcript, or a council's result or messages (--type, --from, --to, --round, --relevant-to, --stats, --save)",
    load: async () => (await import('./sessionShow')).showCommand(),
  },
  {
    name: 'list',
    term: 'list [options]',
    description:
      'list sessions and councils (filters are search attributes: they work in the Temporal UI too)',
    load: async () => (await import('./sessionShow')).listCommand(),
  },
  {
    name: 'cancel',
    term: 'cancel [options] <id>',
    description: 'cancel a running session or council; calls in flight are cancelled',
    load: async () => (await import('./session')).cancelCommand(),
  },
  {
    name: 'skip',
    term: 'skip [options] <id> <name>',
    description: "skip a call in flight: a session participant's (by name) or a council expert's (by id)",
    load: async () => (await import('./skip')).skipCommand(),
  },
  {
    name: 'session',
    term: 'session',
    description: 'long-lived sessions: start, talk, inspect, reattach',
    load: async () => (await import('./session')).sessionCommand(),
  },
  {
    name: 'budget',
    term: 'budget',
    description:
      "raise or stop a session's budget (a call an `onExhausted: ask` budget holds waits for this)",
    load: async () => (await import('./budget')).budgetCommand(),
  },
  {
    name: 'schedule',
    term: 'schedule',
    description: 'recurring council runs on Temporal Schedules',
    load: async () => (await import('./schedule')).scheduleCommand(),
  },
  {
    name: 'worker',
    term: 'worker [options]',
    description: 'run a long-lived worker (TEMPORAL_ADDRESS etc., or the running `council server`)',
    load: async () => (await import('./worker')).workerCommand(),
  },
  {
    name: 'server',
    term: 'server [options]',
    description: 'run the embedded Temporal dev server with its Web UI until Ctrl-C',
    load: async () => (await import('./server')).serverCommand(),
  },
  {
    name: 'config',
    term: 'config',
    description: 'config files: JSON Schema and validation',
    load: async () => (await import('./configCommands')).configCommand(),
  },
  {
    name: 'estimate',
    term: 'estimate [options]',
    description:
      'print the worst-case tokens and cost of one round of a session config, or of a whole council, before running it',
    load: async () => (await import('./estimate')).estimateCommand(),
  },
  {
    name: 'gc',
    term: 'gc [options]',
    description: 'remove stored large payloads older than the retention that no open run references',
    load: async () => (await import('./blobs')).gcCommand(),
  },
  {
    name: 'codec-server',
    term: 'codec-server [options]',
    description:
      "serve Temporal's codec protocol so the Web UI and the temporal CLI show stored and encrypted payloads",
    load: async () => (await import('./blobs')).codecServerCommand(),
  },
  {
    name: 'ui',
    term: 'ui [options]',
    description: 'serve a local web page of sessions and councils (127.0.0.1 only)',
    load: async () => (await import('./ui')).uiCommand(),
  },
];

/**
 * The command `argv` runs (`council help X` asks for X's help, so X), or undefined for the
 * program's own help. The program's only options (-v, -h) take no value, so the first word that
 * is not an option names the command.
 */
export function requestedCommand(argv: readonly string[]): string | undefined {
  const words = argv.slice(2).filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}
