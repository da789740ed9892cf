import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from '../../client/runtime/devServer';
import { bundleCouncilWorkflows } from '../../workers/worker';
import { TEST_SERVER_DYNAMIC_CONFIG, testEnvFile, type TestEnvironmentInfo } from '../helpers/testEnv';

/** The second namespace of the test server, for encrypted runs (see TestEnvironmentInfo). */
const ENCRYPTED_NAMESPACE = 'council-encrypted';
/** The third, for the gc tests alone (see TestEnvironmentInfo). */
const GC_NAMESPACE = 'council-gc';

/** Starts one real Temporal dev server and bundles workflow code once for the whole jest run. */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-test-'));
  const [server, bundle] = await Promise.all([
    startDevServer({
      dbFile: path.join(dir, 'temporal.sqlite'),
      dynamicConfig: TEST_SERVER_DYNAMIC_CONFIG,
      extraNamespaces: [ENCRYPTED_NAMESPACE, GC_NAMESPACE],
    }),
    bundleCouncilWorkflows(),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const info: TestEnvironmentInfo = {
    address: server.address,
    namespace: server.namespace,
    encryptedNamespace: ENCRYPTED_NAMESPACE,
    gcNamespace: GC_NAMESPACE,
    bundlePath,
    dir,
    metricsUrl: server.metricsUrl,
  };
  process.env.COUNCIL_TEST_RUN = String(process.pid);
  mkdirSync(path.dirname(testEnvFile()), { recursive: true });
  writeFileSync(testEnvFile(), JSON.stringify(info));
  (globalThis as { __councilDevServer?: typeof server }).__councilDevServer = server;
  console.log(`\ncouncil tests: Temporal dev server at ${server.address} (started in ${server.startMs} ms)`);
}
