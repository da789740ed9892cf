/**
 * Starts a cluster outside jest and prints the process ids it runs, one JSON line, then waits to be
 * killed: test/cluster/teardown.test.ts SIGKILLs it and checks that nothing it started outlives it.
 */
import { startCluster } from './cluster';

async function main(): Promise<void> {
  const cluster = await startCluster();
  const pids = {
    postgres: cluster.postgres.process().pid,
    s3: cluster.s3.pid,
    ...Object.fromEntries(
      Object.values(cluster.services).map((service) => [service.name, service.process().pid]),
    ),
  };
  process.stdout.write(`${JSON.stringify({ address: cluster.address, pids, dir: cluster.postgres.dir })}\n`);
  // Held open by the cluster's client connection until the test kills this process.
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
