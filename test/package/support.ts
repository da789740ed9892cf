import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root, whose package this tier packs. */
export const ROOT = path.resolve(__dirname, '../..');

interface LockEntry {
  version: string;
  dev?: boolean;
  resolved?: string;
  link?: boolean;
}

function lockPackages(): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  return lock.packages;
}

/** `npm pack` of the repository (its `prepare` script builds dist/); the tarball and its file list. */
export function npmPack(destination: string): { tarball: string; files: string[] } {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [entry] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!entry) throw new Error(`npm pack printed no entry: ${out}`);
  return { tarball: path.join(destination, entry.filename), files: entry.files.map((f) => f.path) };
}

/**
 * Installs the tarball into `app` the fast way: extracted into node_modules/council, with every package
 * the lock does not mark dev-only linked from the repository's node_modules (what a consumer gets,
 * minus what only council's developers need: tsx, jest, typescript...), and the bin linked as npm does.
 */
export function installLinked(app: string, tarball: string, omit: readonly string[] = []): void {
  const modules = path.join(app, 'node_modules');
  const council = path.join(modules, 'council');
  mkdirSync(council, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', council, '--strip-components=1']);
  for (const [key, entry] of Object.entries(lockPackages())) {
    // Top-level packages only: nested ones come with their parent's folder.
    const name = key.startsWith('node_modules/') ? key.slice('node_modules/'.length) : '';
    if (!name || name.includes('node_modules/') || entry.dev || omit.includes(name)) continue;
    const source = path.join(ROOT, 'node_modules', name);
    mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    try {
      symlinkSync(source, path.join(modules, name), 'dir');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const manifest = JSON.parse(readFileSync(path.join(council, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  mkdirSync(path.join(modules, '.bin'), { recursive: true });
  for (const [command, file] of Object.entries(manifest.bin)) {
    symlinkSync(path.join('..', 'council', file), path.join(modules, '.bin', command));
    // npm makes a bin executable when it links it (the tarball keeps it 0644).
    chmodSync(path.join(council, file), 0o755);
  }
}

/**
 * Installs the tarball with `npm ci --offline`, from npm's cache only: the app's lock is the
 * repository's, minus dev-only packages, with registry URLs filled in (the repository's lock has none,
 * and offline npm cannot look them up). About a minute here; COUNCIL_TEST_NPM_INSTALL=1 selects it.
 */
export function installWithNpm(app: string, tarball: string): void {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, never>;
  const spec = `file:${path.relative(app, tarball)}`;
  // The repository aligns the S3 driver's Temporal packages by override; a consumer must too, or get
  // a second, older @temporalio/common under it.
  const overrides = {
    '@temporalio/external-storage-s3': { '@temporalio/common': '1.24.0', '@temporalio/proto': '1.24.0' },
  };
  const root = { name: 'app', version: '1.0.0', dependencies: { council: spec } };
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ ...root, private: true, overrides }));
  const packages: Record<string, unknown> = {
    '': root,
    'node_modules/council': {
      version: manifest.version,
      resolved: spec,
      dependencies: manifest.dependencies,
      optionalDependencies: manifest.optionalDependencies,
      bin: manifest.bin,
    },
  };
  for (const [key, entry] of Object.entries(lockPackages())) {
    if (!key || entry.dev) continue;
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const file = `${name.split('/').pop()}-${entry.version}.tgz`;
    packages[key] = { ...entry, resolved: entry.resolved ?? `https://registry.npmjs.org/${name}/-/${file}` };
  }
  const lock = { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
  writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(lock));
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The README's first TypeScript example (the embedded-mode one), as a consumer would paste it. */
export function readmeLibraryExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```ts block');
  return block;
}
