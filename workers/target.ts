import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_NAMESPACE } from '../common/defaults';
import { CouncilUserError } from '../common/userError';

// Apart from connection.ts, which loads the Temporal client and worker: commands check the
// configured target before anything starts, and `council run` prints its first line before the SDK loads.

/** Where council talks to Temporal: a configured cluster, or the embedded dev server. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  connectConfig: ClientConnectConfig;
}

/**
 * Reads TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY / TLS variables and profiles
 * (`temporal.toml`, TEMPORAL_PROFILE) through @temporalio/envconfig.
 * Returns undefined when no address is configured anywhere.
 */
export function configuredTarget(profile?: string): TemporalTarget | undefined {
  let connectConfig: ClientConnectConfig;
  try {
    connectConfig = loadClientConnectConfig(profile ? { profile } : {});
  } catch (error) {
    throw new CouncilUserError(`cannot read the Temporal connection config: ${(error as Error).message}`);
  }
  const address = connectConfig.connectionOptions.address;
  if (!address) return undefined;
  return { address, namespace: connectConfig.namespace ?? DEFAULT_NAMESPACE, connectConfig };
}
