import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { writeFileAtomically } from './atomicFile';
import { ENCRYPTED_FAILURE_CONVERTER_PATH } from '../../storage/failureConverter';
import { encryptionSettingsFromEnv } from '../../storage/keys';
import {
  bundleCouncilWorkflows,
  WORKFLOW_SOURCE_MAP,
  WORKFLOWS_PATH,
  type CouncilBundleOptions,
} from '../../workers/worker';
import { makeDirectory } from '../../storage/directories';

/** The folders whose code ends up in the workflow bundle. */
const SOURCE_DIRS = ['workflows', 'common'].map((dir) =>
  path.resolve(path.dirname(WORKFLOWS_PATH), '..', dir),
);

/**
 * Where `npm run build` puts the bundle of the built workflow code (dist/workflow-bundle): shipped in
 * the package, so neither a first run nor a fresh data directory waits seconds for bundling. From
 * the TypeScript sources (tsx) the folder does not exist and the data directory's cache serves.
 */
export const PREBUILT_BUNDLE_DIR = path.resolve(path.dirname(WORKFLOWS_PATH), '..', 'workflow-bundle');

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
 * The workflow bundle: the prebuilt one when it was made from this very workflow code and options
 * (its name is their hash, so a stale one is never read), else made once per version of the code
 * and options and kept in the data directory: bundling takes seconds of CPU, and every `council`
 * command with an in-process worker needs it. The options default to what the environment implies.
 */
export async function cachedWorkflowBundle(
  dataDir: string,
  options: CouncilBundleOptions = bundleOptionsFromEnv(process.env),
  prebuiltDir: string = PREBUILT_BUNDLE_DIR,
): Promise<WorkflowBundle> {
  const prebuilt = path.join(prebuiltDir, bundleFileName(options));
  if (existsSync(prebuilt)) return { code: readFileSync(prebuilt, 'utf8') };
  const file = bundleCachePath(dataDir, options);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const bundle = await bundleCouncilWorkflows(options);
  makeDirectory(path.dirname(file));
  writeFileAtomically(file, bundle.code);
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
  return path.join(dataDir, 'cache', bundleFileName(options));
}

/**
 * Bundles the workflow code with the default options into `dir` (replacing what was there), under
 * the name {@link cachedWorkflowBundle} looks for; returns the file. `npm run build` calls it.
 */
export async function writePrebuiltBundle(dir: string = PREBUILT_BUNDLE_DIR): Promise<string> {
  const bundle = await bundleCouncilWorkflows({});
  rmSync(dir, { recursive: true, force: true });
  makeDirectory(dir);
  const file = path.join(dir, bundleFileName({}));
  writeFileSync(file, bundle.code);
  return file;
}

function bundleFileName(options: CouncilBundleOptions): string {
  return `workflows-${sourceHash(options)}.js`;
}

function sourceHash(options: CouncilBundleOptions): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(require.resolve('@temporalio/workflow/package.json')));
  // How it is bundled: a bundle cached with another source map is not this one.
  hash.update(`devtool:${WORKFLOW_SOURCE_MAP}`);
  // Paths relative to the code's root: the prebuilt bundle's name must hold once the package is installed.
  const root = path.resolve(path.dirname(WORKFLOWS_PATH), '..');
  for (const file of bundledSources()) hash.update(path.relative(root, file)).update(readFileSync(file));
  // The failure converter is bundled too: its path and code make another bundle.
  const converter = options.failureConverterPath;
  if (converter) hash.update(`failureConverter:${converter}`).update(readFileSync(converter));
  return hash.digest('hex').slice(0, 16);
}

/** Every file the workflow bundle can hold (code, and data it imports such as the price table), sorted. */
export function bundledSources(): string[] {
  return SOURCE_DIRS.flatMap((dir) =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true, recursive: true })
          .filter((entry) => entry.isFile() && /\.(ts|js|json)$/.test(entry.name))
          .map((entry) => path.join(entry.parentPath, entry.name))
          .sort()
      : [],
  );
}
