import { freePort } from '../../../client/runtime/freePort';
import { waitFor } from '../../helpers/wait';
import { ROOT } from './binaries';
import { spawnClusterProcess, type ClusterProcess } from './processes';
import { canConnect } from './s3';

/** The Temporal services, each run here as a process of its own (`temporal-server start --service`). */
export const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** One Temporal service process, restartable on the same ports. */
export interface TemporalService {
  name: ServiceName;
  process(): ClusterProcess;
  /** SIGKILLs it and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it (again); resolves once its gRPC port accepts connections. */
  start(): Promise<void>;
}

/**
 * Free ports for every service, as the env vars deploy/temporal/config.yaml.tmpl reads: gRPC and
 * membership for each, HTTP for the frontend. freePort() picks below 32768, which matters here too:
 * the PostgreSQL schema keeps a member's port in a smallint (cluster_membership.rpc_port), and a
 * service on a port of 32768 and up dies at start with "value out of range for type smallint".
 */
export async function servicePorts(): Promise<Record<string, string>> {
  const ports: Record<string, string> = {};
  const taken = new Set<number>();
  const pick = async () => {
    const port = await freePort(taken);
    taken.add(port);
    return String(port);
  };
  for (const service of SERVICES) {
    const prefix = service.toUpperCase();
    ports[`${prefix}_GRPC_PORT`] = await pick();
    ports[`${prefix}_MEMBERSHIP_PORT`] = await pick();
  }
  ports.FRONTEND_HTTP_PORT = await pick();
  return ports;
}

/** Starts the four services from one environment (config file, database, ports); all serve on return. */
export async function startTemporalServices(
  executable: string,
  env: Record<string, string>,
): Promise<Record<ServiceName, TemporalService>> {
  const services = Object.fromEntries(
    SERVICES.map((name) => [name, temporalService(executable, name, env)]),
  ) as Record<ServiceName, TemporalService>;
  // The first to start on a fresh database writes the cluster metadata; two doing it at once race on
  // its primary key and one exits ("SaveClusterMetadata ... duplicate key"). One first, then the rest
  // together: each joins the membership ring the others seed.
  const [first, ...rest] = SERVICES;
  await services[first].start();
  await Promise.all(rest.map((name) => services[name].start()));
  return services;
}

function temporalService(
  executable: string,
  name: ServiceName,
  env: Record<string, string>,
): TemporalService {
  const port = Number(env[`${name.toUpperCase()}_GRPC_PORT`]);
  let current: ClusterProcess | undefined;
  return {
    name,
    process: () => {
      if (!current) throw new Error(`the ${name} service was never started`);
      return current;
    },
    kill: async () => current?.kill(),
    async start() {
      const started = spawnClusterProcess(`temporal ${name}`, executable, ['start', '--service', name], {
        env,
        cwd: ROOT,
      });
      current = started;
      await waitFor(
        `the Temporal ${name} service to listen on port ${port}`,
        async () => {
          if (!started.running()) throw new Error(`temporal ${name} exited:\n${started.output()}`);
          return canConnect(port);
        },
        60_000,
        100,
      );
    },
  };
}
