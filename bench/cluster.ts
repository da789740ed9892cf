import { Client, Connection } from '@temporalio/client';
import { startCluster } from '../test/cluster/support/cluster';
import { measureConcurrency, type ConcurrencyLevel } from './concurrency';
import { onServer, type BenchContext } from './harness';

/** Measurement 7: the concurrency workload on the production server (four services, PostgreSQL). */
export interface ClusterResult {
  /** What each start-up step of the cluster took, ms. */
  startMs: Record<string, number>;
  levels: ConcurrencyLevel[];
  /** Cluster / dev server at each level both ran: turns per second and CPU ms per turn. */
  versusDevServer: Array<{ sessions: number; throughputRatio: number; cpuPerTurnRatio: number }>;
}

/**
 * Starts the cluster the cluster tier tests (test/cluster: docker-compose.yml's server version,
 * config files and jobs, installed by scripts/install-temporal-server.sh) on this same machine and
 * runs the concurrency levels there with the same worker, bundle and mock LLM as on the dev server.
 */
export async function measureCluster(
  ctx: BenchContext,
  devServerLevels: ConcurrencyLevel[] = [],
): Promise<ClusterResult> {
  const cluster = await startCluster();
  // A plain client, as on the dev server: the workload's payloads stay far below the blob threshold.
  const connection = await Connection.connect({ address: cluster.address });
  try {
    ctx.log(`cluster up at ${cluster.address}: ${JSON.stringify(cluster.timings)} ms`);
    const processes: Record<string, number> = { postgres: cluster.postgres.process().pid };
    for (const service of Object.values(cluster.services)) processes[service.name] = service.process().pid;
    const server = { address: cluster.address, namespace: 'default', processes };
    const levels = await measureConcurrency(onServer(ctx, server, new Client({ connection })));
    const versusDevServer = levels.flatMap((level) => {
      const dev = devServerLevels.find((candidate) => candidate.sessions === level.sessions);
      if (!dev) return [];
      return [
        {
          sessions: level.sessions,
          throughputRatio: ratio(level.throughputTurnsPerSec, dev.throughputTurnsPerSec),
          cpuPerTurnRatio: ratio(level.cpuMsPerTurn, dev.cpuMsPerTurn),
        },
      ];
    });
    return { startMs: cluster.timings, levels, versusDevServer };
  } finally {
    await connection.close();
    await cluster.stop();
  }
}

function ratio(value: number, base: number): number {
  return base > 0 ? Math.round((value / base) * 100) / 100 : 0;
}
