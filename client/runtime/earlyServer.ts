import { dataDirectory, openLocalServer, type LocalServer } from './localServer';
import { configuredTarget } from '../../workers/target';

/** A server being opened ahead of the Temporal SDK's load; awaited by openRuntime (commandRuntime.ts). */
export interface EarlyServer {
  server: Promise<LocalServer>;
  /** True when a new server was spawned and is booting, false when a published one was found. */
  booting: boolean;
}

/**
 * Without a configured cluster, opens the data directory's server as {@link openLocalServer} does, but
 * returns as soon as a new server's process is spawned (or the published one is found): its boot,
 * about a second, then overlaps the load of the Temporal SDK and the worker, instead of following it.
 */
export async function openLocalServerEarly(flags: {
  profile?: string;
  dataDir?: string;
}): Promise<EarlyServer | undefined> {
  if (configuredTarget(flags.profile)) return undefined;
  let spawned = () => {};
  let booting = false;
  const spawn = new Promise<void>((resolve) => (spawned = resolve));
  const server = openLocalServer(dataDirectory(flags.dataDir), {
    onSpawn: () => {
      booting = true;
      spawned();
    },
  });
  // Its failure is thrown where it is awaited (openRuntime); here it only ends the wait for the spawn.
  await Promise.race([spawn, server.then(spawned, spawned)]);
  return { server, booting };
}
