import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporalExecutable } from '../../client/runtime/temporalCli';
import { installLinked, installWithNpm, npmPack, readmeLibraryExample, ROOT } from './support';

/**
 * council as a user gets it: `npm pack` (which builds), the tarball installed into a fresh project,
 * the README's library example type-checked against the installed types and run (embedded mode,
 * simulated), and `npx council run --simulate`.
 */
describe('the packed package, installed into a fresh project', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'council-pack-'));
  const app = path.join(work, 'app');
  let files: string[] = [];
  // No provider keys (so the example simulates), a fresh data dir, the Temporal CLI named explicitly:
  // an installed package has no .tools/ of its own.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENAI_API_KEY: '',
    ANTHROPIC_API_KEY: '',
    COUNCIL_DATA_DIR: path.join(work, 'data'),
    TEMPORAL_CLI_PATH: temporalExecutable(),
    TEMPORAL_ADDRESS: '',
  };
  const run = (command: string, args: string[]) =>
    spawnSync(command, args, { cwd: app, env, encoding: 'utf8', timeout: 90_000 });

  beforeAll(() => {
    const packed = npmPack(work);
    files = packed.files;
    if (process.env.COUNCIL_TEST_NPM_INSTALL === '1') installWithNpm(app, packed.tarball);
    else installLinked(app, packed.tarball);
  }, 240_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the built entries, their types and the bin, and none of the repository around them', () => {
    for (const file of ['client/index', 'common/index', 'workers/index', 'workflows/index']) {
      expect(files).toContain(`dist/${file}.js`);
      expect(files).toContain(`dist/${file}.d.ts`);
    }
    expect(files).toContain('dist/client/cli/main.js');
    // `council ui`'s page is no TypeScript: the build copies it, and the package must carry it.
    for (const file of ['index.html', 'app.js', 'style.css'])
      expect(files).toContain(`dist/client/ui/static/${file}`);
    // The workflow bundle ships prebuilt (see client/runtime/bundle.ts), one, named by the code's hash.
    expect(files.filter((f) => f.startsWith('dist/workflow-bundle/'))).toEqual([
      expect.stringMatching(/^dist\/workflow-bundle\/workflows-[0-9a-f]{16}\.js$/),
    ]);
    const outside = files.filter((f) => !/^(dist\/|examples\/|README\.md$|package\.json$)/.test(f));
    expect(outside).toEqual(['scripts/install-temporal.sh', 'scripts/lib/common.sh']);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(app, 'node_modules/council/package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
    expect(Object.keys(manifest.dependencies)).not.toContain('@copilotkit/aimock');
    const bin = readFileSync(path.join(app, 'node_modules/council', manifest.bin.council), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('resolves every entry of the exports map from a consumer project', () => {
    const entries = ['council', 'council/common', 'council/worker', 'council/workflows'];
    const script = `for (const e of ${JSON.stringify(entries)}) console.log(require.resolve(e));`;
    const resolved = run('node', ['-e', script]);
    expect(resolved.stderr).toBe('');
    expect(resolved.stdout.trim().split('\n')).toEqual(
      ['client', 'common', 'workers', 'workflows'].map((dir) =>
        path.join(app, 'node_modules/council/dist', dir, 'index.js'),
      ),
    );
  });

  it("type-checks and runs the README's library example: embedded server, simulated, closed", () => {
    writeFileSync(path.join(app, 'example.ts'), readmeLibraryExample());
    const compilerOptions = {
      target: 'ES2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules/@types')],
      outDir: 'out',
    };
    // Every subpath's types too, as a consumer imports them.
    const entries = [
      "import type { SessionConfigInput } from 'council/common';",
      "import { sendMessageUpdate } from 'council/common';",
      "import { councilPlugin, type CouncilPluginOptions } from 'council/worker';",
      "import type { sessionWorkflow } from 'council/workflows';",
      'export const used: [SessionConfigInput?, CouncilPluginOptions?, typeof sessionWorkflow?] = [];',
      'export const values = [sendMessageUpdate.name, councilPlugin];',
    ];
    writeFileSync(path.join(app, 'entries.ts'), `${entries.join('\n')}\n`);
    const files = ['example.ts', 'entries.ts'];
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
    const tsc = run('node', [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    // Projects on the older `node` resolution (it ignores `exports`) find the subpaths by typesVersions.
    const legacy = { ...compilerOptions, module: 'commonjs', moduleResolution: 'node', noEmit: true };
    writeFileSync(path.join(app, 'tsconfig.legacy.json'), JSON.stringify({ compilerOptions: legacy, files }));
    const tscLegacy = run('node', [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.legacy.json',
    ]);
    expect(tscLegacy.stdout + tscLegacy.stderr).toBe('');
    const example = run('node', ['out/example.js']);
    expect(example.stderr).not.toMatch(/Error|error/);
    expect(example.status).toBe(0);
    expect(example.stdout).toMatch(/^Expert-1: \(simulated\) /m);
    expect(example.stdout).toMatch(/^Expert-2: \(simulated\) /m);
    // It closed what it opened: the embedded server withdrew its address on the way out.
    expect(existsSync(path.join(env.COUNCIL_DATA_DIR ?? '', 'server.json'))).toBe(false);
  });

  it('runs `npx council run --simulate` from built JavaScript', () => {
    const cli = run('npx', [
      '--offline',
      '--no-install',
      'council',
      'run',
      '--simulate',
      'Is packaging hard?',
    ]);
    expect(cli.stderr).not.toMatch(/Error|error/);
    expect(cli.status).toBe(0);
    expect(cli.stderr + cli.stdout).toContain('SIMULATED participants');
    expect(cli.stdout).toMatch(/^\(simulated\) On "Is packaging hard\?"/m);
    // The prebuilt bundle served the example's worker and this one: nothing was bundled into the cache.
    expect(existsSync(path.join(env.COUNCIL_DATA_DIR ?? '', 'cache'))).toBe(false);
  });

  // The hint named examples/…, which is the repository's path: in a consumer project the examples
  // are the installed package's.
  it("names the installed package's example configs in its hints", () => {
    const cli = run('npx', ['--offline', '--no-install', 'council', 'run', 'Q?', '--mode', 'parallel']);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain('-c node_modules/council/examples/council-parallel.yaml');
  });

  it('without the optional aimock, a simulated run fails in one line saying how to add it', () => {
    const aimock = path.join(app, 'node_modules/@copilotkit/aimock');
    // A link into the repository's node_modules is unlinked, never followed.
    if (lstatSync(aimock).isSymbolicLink()) unlinkSync(aimock);
    else rmSync(aimock, { recursive: true });
    expect(run('npx', ['--offline', '--no-install', 'council', '--help']).status).toBe(0);
    const cli = run('npx', ['--offline', '--no-install', 'council', 'run', '--simulate', 'Still there?']);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(
      'council: simulated participants need the optional package @copilotkit/aimock',
    );
    expect(cli.stderr).toContain('npm install @copilotkit/aimock');
  });
});
