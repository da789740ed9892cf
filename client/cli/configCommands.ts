import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { configJsonSchema, configShape, loadConfigFile } from '../api/config';
import { configModels, requiredKeyVars } from './simulated';
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
      if (options.out) writeFileSync(options.out, text);
      else process.stdout.write(text);
    });

  config
    .command('check')
    .description('validate a config file; errors name the line, the path and what is expected')
    .argument('<file>', 'YAML or JSON config')
    .action((file: string) => {
      const loaded = loadConfigFile(file);
      const members =
        loaded.kind === 'session'
          ? `${loaded.session.participants.length} participants`
          : `${loaded.context.activeExperts.length} experts and a synthesizer`;
      process.stdout.write(`${file}: valid ${loaded.kind} config (${configShape(loaded)}, ${members})\n`);
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
