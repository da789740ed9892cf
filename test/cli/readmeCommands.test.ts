import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { COMMANDS } from '../../client/cli/commands';

/** The flags every command that talks to Temporal takes; the README says them once, under the table. */
const CONNECTION_FLAGS = ['--profile', '--data-dir', '--task-queue', '--worker'];

/** Every command with its subcommands (`schedule create`, `budget raise`…), by its full name. */
function withSubcommands(command: Command, prefix = ''): Array<[string, Command]> {
  const name = `${prefix}${command.name()}`;
  return [[name, command], ...command.commands.flatMap((sub) => withSubcommands(sub, `${name} `))];
}

/** Whether `text` names `flag` (and not only a longer flag it begins). */
function named(text: string, flag: string): boolean {
  return new RegExp(`${flag}(?![\\w-])`).test(text);
}

/**
 * The README's table of commands names every flag each command takes (a reader learns them there
 * before `--help`); the flags shared by every command are named in the prose below it.
 */
describe("the README's command table", () => {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('| command');
  const table = readme.slice(start, readme.indexOf('\n\n', start));

  it('is found', () => {
    expect(start).toBeGreaterThan(0);
    expect(table.split('\n').length).toBeGreaterThan(10);
  });

  it("names every command's own flags", async () => {
    const missing: string[] = [];
    for (const entry of COMMANDS) {
      for (const [name, command] of withSubcommands(await entry.load())) {
        for (const option of command.options) {
          const flags = [option.long, option.short].filter((flag) => flag !== undefined);
          if (flags.some((flag) => flag === '--help' || CONNECTION_FLAGS.includes(flag))) continue;
          // `-c FILE` says `--config FILE` as well: either spelling will do.
          if (!flags.some((flag) => named(table, flag))) missing.push(`${name} ${flags.join('/')}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('names the shared connection flags', () => {
    expect(CONNECTION_FLAGS.filter((flag) => !named(readme, flag))).toEqual([]);
  });
});
