import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The layer rules of eslint.config.mjs must be able to fail: each import below is linted as if it
// stood in a file of that folder (ESLint's lintText with a file path: nothing is written to disk).

const root = path.resolve(__dirname, '../..');

interface Probe {
  /** Where the import is linted as if it stood. */
  filePath: string;
  code: string;
}

// The repository's config with only the import restrictions run, and without type information: they
// read import statements, not types.
const LINT_SCRIPT = `
import { ESLint } from 'eslint';
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: { languageOptions: { parserOptions: { project: false, projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports',
});
const { probes, folders } = JSON.parse(process.argv[1]);
const found = [];
for (const { filePath, code } of probes) {
  const [result] = await eslint.lintText(code, { filePath });
  found.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
}
for (const result of folders.length > 0 ? await eslint.lintFiles(folders) : []) {
  for (const m of result.messages) found.push([result.filePath + ': ' + m.ruleId + ': ' + m.message]);
}
process.stdout.write(JSON.stringify(found));
`;

/**
 * Lints in a child process: eslint loads its ESM config by import(), which jest's module system cannot.
 * The probes' messages come first, one list each, then one list per message found in `folders`.
 */
function lint(probes: Probe[], folders: string[] = []): string[][] {
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', LINT_SCRIPT, JSON.stringify({ probes, folders })],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`eslint exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const probe = (folder: string, code: string): Probe => ({
  filePath: path.join(root, folder, 'layerProbe.ts'),
  code: `${code}\n`,
});

describe('the layer rules', () => {
  it('refuses an import across a layer, and says which rule it breaks', () => {
    const refused = lint([
      probe('workflows/council', "import { startCouncil } from '../../client/api/council';"),
      probe('workers', "import { main } from '../client/cli/main';"),
      probe('common', "import { recipientsOf } from '../workflows/council/messages';"),
      probe('common', "import type { ExecutionResult } from '../client/api/councilTypes';"),
      probe('common', "import { createLlmActivities } from '../activities';"),
      probe('storage', "import { CouncilUserError } from '../client/errors';"),
      probe('storage', "import { createCouncilWorker } from '../workers';"),
      probe('storage', "import type { ExecutionResult } from '../client/api/councilTypes';"),
      probe('workers', "import { connectClient } from '../client/runtime/connection';"),
      probe('client/api', "import { main } from '../cli/main';"),
      probe('client/api', "import { serveUi } from '../ui/server';"),
      probe('client/runtime', "import { startCouncil } from '../api/council';"),
      probe('client/simulation', "import { startDevServer } from '../runtime/devServer';"),
    ]);
    expect(refused.map((messages) => messages.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(refused[0]?.[0]).toContain('Workflow code runs in the worker: it imports client/ as types only');
    expect(refused[1]?.[0]).toContain('A worker never depends on client/');
    for (const messages of refused.slice(2, 5)) expect(messages[0]).toContain('common/ is the bottom layer');
    for (const messages of refused.slice(5, 8))
      expect(messages[0]).toContain('storage/ sits below the worker');
    expect(refused[8]?.[0]).toContain('A worker never depends on client/');
    for (const messages of refused.slice(9, 11))
      expect(messages[0]).toContain('never depends on the CLI or the web view');
    expect(refused[11]?.[0]).toContain('client/runtime/ (local server, worker, connections) sits below');
    expect(refused[12]?.[0]).toContain('client/simulation/ (the simulated providers) sits below');
  });

  it('allows the imports each layer may make', () => {
    const allowed = lint([
      probe('workflows/council', "import type { ExecutionResult } from '../../client/api/councilTypes';"),
      probe('workers', "import { CouncilUserError } from '../common/userError';"),
      probe('common', "import { z } from 'zod';\nimport { LIMITS } from './defaults';"),
      probe('client/cli', "import { startCouncil } from '../api/council';"),
      probe('client/api', "import { resolveTarget } from '../runtime/connection';"),
      probe('client/runtime', "import { startSimulatedProviders } from '../simulation/simulatedProviders';"),
      probe('storage', "import { CouncilUserError } from '../common/userError';"),
    ]);
    expect(allowed).toEqual([[], [], [], [], [], [], []]);
  });

  it('finds no import across a layer in the tree itself', () => {
    expect(lint([], ['common', 'storage', 'workers', 'workflows', 'client'])).toEqual([]);
  });
});
