import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServerOptions } from './devServer';
import { CouncilUserError } from './errors';
import { queryRetryInterceptor } from './queryRetry';
import { configuredTarget, type TemporalTarget } from './target';

export { configuredTarget, type TemporalTarget } from './target';

/** The configured cluster, or a freshly started embedded dev server when none is configured. */
export async function resolveTarget(options: { profile?: string; devServer?: DevServerOptions } = {}) {
  const configured = configuredTarget(options.profile);
  if (configured) return configured;
  const embedded = await startDevServer(options.devServer);
  const target: TemporalTarget = {
    address: embedded.address,
    namespace: embedded.namespace,
    connectConfig: { connectionOptions: { address: embedded.address }, namespace: embedded.namespace },
    embedded,
  };
  return target;
}

/**
 * A client connection; an unreachable address becomes one clear error line naming it.
 * `dataConverter` carries the blob store (storage/): it must be the one the workers use.
 */
export async function connectClient(target: TemporalTarget, dataConverter?: DataConverter): Promise<Client> {
  try {
    const connection = await Connection.connect({
      ...(target.connectConfig.connectionOptions as Parameters<typeof Connection.connect>[0]),
      connectTimeout: '10s',
    });
    return new Client({
      connection,
      namespace: target.namespace,
      interceptors: { workflow: [queryRetryInterceptor(connection)] },
      ...(dataConverter ? { dataConverter } : {}),
    });
  } catch (error) {
    throw unreachable(target, error);
  }
}

/** A worker connection to the same target. */
export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(target.connectConfig.connectionOptions);
  } catch (error) {
    throw unreachable(target, error);
  }
}

function unreachable(target: TemporalTarget, error: unknown): CouncilUserError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new CouncilUserError(
    `cannot reach Temporal at ${target.address}: ${reason}`,
    'check TEMPORAL_ADDRESS (host:port), or unset it to use the embedded dev server',
    { cause: error },
  );
}
