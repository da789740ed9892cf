import type { Command } from 'commander';
import { printable } from '../../common/printable';
import { configJsonSchema, configShape, parseConfigText, readConfigFile } from '../api/config';
import { strictJsonProblem } from '../api/strictJson';
import { writeUserFile } from '../api/userFile';
import { checkSubjects, loadProviderPolicy } from '../../activities/policy';
import { configModels, configSubjects, requiredKeyVars } from './simulated';
import { listedCommand } from './help';

/** `council config schema|check`: the JSON Schema of config files, and validation of one. */
export function configCommand(): Command {
  const config = listedCommand('config');

  config
    .command('schema')
    .description('print the JSON Schema of config files (for editor completion)')
    .option('-o, --out <file>', 'write it to a file instead of stdout')
    .action((options: { out?: string }) => {
      const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
      if (options.out) writeUserFile(options.out, text);
      else process.stdout.write(text);
    });

  config
    .command('check')
    .description('validate a config file; errors name the line, the path and what is expected')
    .argument('<file>', 'YAML or JSON config')
    .action((file: string) => {
      const text = readConfigFile(file);
      const loaded = parseConfigText(text, file);
      const [count, noun, synthesizer] =
        loaded.kind === 'session'
          ? [loaded.session.participants.length, 'participant', '']
          : [loaded.context.activeExperts.length, 'expert', ' and a synthesizer'];
      const members = `${count} ${noun}${count === 1 ? '' : 's'}${synthesizer}`;
      process.stdout.write(`${file}: valid ${loaded.kind} config (${configShape(loaded)}, ${members})\n`);
      // Council reads a .json file as YAML does: a file it takes may still be one other tools refuse.
      const strict = /\.json$/i.test(file) ? strictJsonProblem(text) : undefined;
      if (strict) {
        const where = strict.at ? `${file}:${strict.at}` : file;
        process.stdout.write(
          `note: not strict JSON: ${where}: ${printable(strict.message)} (council reads it; other JSON tools may not)\n`,
        );
      }
      // The worker `council run` starts here checks this policy before any call: say it now.
      const refusals = checkSubjects(loadProviderPolicy(process.env), process.env, configSubjects(loaded));
      for (const refusal of refusals) {
        process.stdout.write(
          `note: this machine's provider policy (what \`council run\` here applies) refuses ${printable(refusal)}\n`,
        );
      }
      const keys = requiredKeyVars(configModels(loaded), process.env);
      if (keys.length > 0) {
        const state = keys.map((name) => `${name} (${process.env[name] ? 'set' : 'not set'})`);
        const none = keys.every((name) => !process.env[name]);
        process.stdout.write(
          `needs: ${state.join(', ')}${none ? ' (none set: `council run` simulates)' : ''}\n`,
        );
      }
    });

  return config;
}
