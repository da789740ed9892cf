import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// A lint rule that cannot fail is worse than none: this runs the repository's own eslint config on
// two tiny modules that import each other, and on the same two once the cycle is broken. The modules
// live in a temporary folder under test/, which eslint.config.mjs covers; it is removed afterwards.

const root = path.resolve(__dirname, '../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

interface LintResult {
  filePath: string;
  messages: LintMessage[];
}

// The repository's config, with only no-cycle run and without type information: building the whole
// program for the type-aware rules costs ~12 s and no-cycle does not use it.
const LINT_SCRIPT = `
import { ESLint } from 'eslint';
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: { languageOptions: { parserOptions: { project: false, projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'import-x/no-cycle',
});
const results = await eslint.lintFiles(process.argv.slice(1));
process.stdout.write(JSON.stringify(results.map(({ filePath, messages }) => ({ filePath, messages }))));
`;

/** Lints in a child process: eslint loads its ESM config by import(), which jest's module system cannot. */
function lint(files: string[]): LintResult[] {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', LINT_SCRIPT, ...files], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`eslint exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as LintResult[];
}

function cycleMessages(results: LintResult[]): string[] {
  return results.flatMap((r) =>
    r.messages
      .filter((m) => m.ruleId === 'import-x/no-cycle')
      .map((m) => `${path.basename(r.filePath)}: ${m.message}`),
  );
}

/** Writes a module exporting one constant, optionally importing the other module's constant. */
function writeModule(dir: string, name: string, imports?: string): string {
  const file = path.join(dir, `${name}.ts`);
  const body = imports
    ? `import { ${imports} } from './${imports}';\n\nexport const ${name} = \`${name}\${${imports}.length}\`;\n`
    : `export const ${name} = '${name}';\n`;
  writeFileSync(file, body);
  return file;
}

describe('import-x/no-cycle', () => {
  let tmp = '';
  let cyclic: string[] = [];
  let acyclic: string[] = [];

  beforeAll(() => {
    tmp = mkdtempSync(path.join(__dirname, 'tmp-'));
    const withCycle = path.join(tmp, 'cycle');
    const withoutCycle = path.join(tmp, 'nocycle');
    mkdirSync(withCycle);
    mkdirSync(withoutCycle);
    cyclic = [writeModule(withCycle, 'alpha', 'beta'), writeModule(withCycle, 'beta', 'alpha')];
    acyclic = [writeModule(withoutCycle, 'alpha', 'beta'), writeModule(withoutCycle, 'beta')];
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('reports two modules that import each other, on both sides', () => {
    const results = lint(cyclic);
    expect(results.map((r) => r.filePath)).toEqual(cyclic);
    expect(cycleMessages(results).sort()).toEqual([
      'alpha.ts: Dependency cycle detected',
      'beta.ts: Dependency cycle detected',
    ]);
  });

  it('reports nothing once one side no longer imports the other', () => {
    const results = lint(acyclic);
    expect(results.map((r) => r.filePath)).toEqual(acyclic);
    // No message at all, not even a parse error: silence here is not eslint failing to read the files.
    expect(results.flatMap((r) => r.messages)).toEqual([]);
  });
});
