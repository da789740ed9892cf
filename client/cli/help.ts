import { Command } from 'commander';
import HELP from './commands.json';

/** One line of `council --help`: the command as it is listed, and what it does. */
export interface CommandHelp {
  /** The first word of `term`. */
  name: string;
  /** The command as `council --help` lists it: its name, [options] and arguments. */
  term: string;
  description: string;
}

/** Every `council` command's help, in the order `--help` lists them (the text is data: commands.json). */
export const COMMAND_HELP: readonly CommandHelp[] = HELP.map(({ term, description }) => ({
  name: term.split(' ')[0]!,
  term,
  description,
}));

/**
 * A top-level command with its line of help from commands.json, so `council --help` (which loads no
 * command) and `council X --help` say the same.
 */
export function listedCommand(name: string): Command {
  const help = COMMAND_HELP.find((entry) => entry.name === name);
  if (!help) throw new Error(`"${name}" is not listed in client/cli/commands.json: add its help there`);
  return new Command(name).description(help.description);
}
