import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { bundleCouncilWorkflows, WORKFLOWS_PATH } from '../../workers/worker';

/** The folders whose code ends up in the workflow bundle. */
const SOURCE_DIRS = ['workflows', 'common'].map((dir) =>
  path.resolve(path.dirname(WORKFLOWS_PATH), '..', dir),
);

/**
 * The workflow bundle, made once per version of the workflow code and kept in the data directory:
 * bundling takes seconds of CPU, and every `council` command with an in-process worker needs it.
 */
export async function cachedWorkflowBundle(dataDir: string): Promise<WorkflowBundle> {
  const file = bundleCachePath(dataDir);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const bundle = await bundleCouncilWorkflows();
  mkdirSync(path.dirname(file), { recursive: true });
  // Written aside and renamed, so a concurrent reader never sees half a bundle.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, bundle.code);
  renameSync(partial, file);
  // Bundles of older workflow code are never read again.
  for (const old of readdirSync(path.dirname(file))) {
    if (/^workflows-\w+\.js$/.test(old) && path.join(path.dirname(file), old) !== file) {
      rmSync(path.join(path.dirname(file), old), { force: true });
    }
  }
  return bundle;
}

/** Where the bundle of the current workflow code is kept (a test can put a bundle it made there). */
export function bundleCachePath(dataDir: string): string {
  return path.join(dataDir, 'cache', `workflows-${sourceHash()}.js`);
}

function sourceHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(require.resolve('@temporalio/workflow/package.json')));
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(dir)) hash.update(file).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
