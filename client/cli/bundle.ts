import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { ENCRYPTED_FAILURE_CONVERTER_PATH } from '../../storage/failureConverter';
import { encryptionSettingsFromEnv } from '../../storage/keys';
import { bundleCouncilWorkflows, WORKFLOWS_PATH, type CouncilBundleOptions } from '../../workers/worker';

/** The folders whose code ends up in the workflow bundle. */
const SOURCE_DIRS = ['workflows', 'common'].map((dir) =>
  path.resolve(path.dirname(WORKFLOWS_PATH), '..', dir),
);

/**
 * The bundle options the environment implies: with encryption keys listed (the converter
 * blobStoreFromEnv builds from the same environment then encrypts), the encrypted failure converter.
 */
export function bundleOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): CouncilBundleOptions {
  return encryptionSettingsFromEnv(env) ? { failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH } : {};
}

/**
 * The workflow bundle, made once per version of the workflow code and of `options` and kept in the
 * data directory: bundling takes seconds of CPU, and every `council` command with an in-process
 * worker needs it. The options default to what the process's environment implies.
 */
export async function cachedWorkflowBundle(
  dataDir: string,
  options: CouncilBundleOptions = bundleOptionsFromEnv(process.env),
): Promise<WorkflowBundle> {
  const file = bundleCachePath(dataDir, options);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const bundle = await bundleCouncilWorkflows(options);
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

/**
 * Where the bundle of the current workflow code and these options is kept (a test can put a bundle
 * it made there).
 */
export function bundleCachePath(dataDir: string, options: CouncilBundleOptions = {}): string {
  return path.join(dataDir, 'cache', `workflows-${sourceHash(options)}.js`);
}

function sourceHash(options: CouncilBundleOptions): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(require.resolve('@temporalio/workflow/package.json')));
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(dir)) hash.update(file).update(readFileSync(file));
  }
  // The failure converter is bundled too: its path and code make another bundle.
  const converter = options.failureConverterPath;
  if (converter) hash.update(`failureConverter:${converter}`).update(readFileSync(converter));
  return hash.digest('hex').slice(0, 16);
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
