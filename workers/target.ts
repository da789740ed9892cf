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

/** The target of a dev server at `address` (the embedded one, or `council server`'s). */
export function localTarget({ address, namespace }: { address: string; namespace: string }): TemporalTarget {
  return { address, namespace, connectConfig: { connectionOptions: { address }, namespace } };
}

/** What a client or worker says when `target` does not answer: the address, the reason, the fix. */
export function unreachableTarget(target: TemporalTarget, error: unknown): CouncilUserError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new CouncilUserError(
    `cannot reach Temporal at ${target.address}: ${reason}`,
    'check TEMPORAL_ADDRESS (host:port), or unset it to use the embedded dev server',
    { cause: error },
  );
}
