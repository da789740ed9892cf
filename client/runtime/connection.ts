import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { startDevServer, type DevServer, type DevServerOptions } from './devServer';
import { queryRetryInterceptor } from './queryRetry';
import { closableInterceptors } from './closedChannel';
import type { ServerLoss } from './serverLoss';
import { configuredTarget, localTarget, unreachableTarget, type TemporalTarget } from '../../workers/target';

export { configuredTarget, localTarget, type TemporalTarget } from '../../workers/target';

/** A target {@link resolveTarget} gives: `embedded` is set when it started the dev server; stop it when done. */
export interface ResolvedTarget extends TemporalTarget {
  embedded?: DevServer;
}

/** The configured cluster, or a freshly started embedded dev server when none is configured. */
export async function resolveTarget(
  options: { profile?: string; devServer?: DevServerOptions } = {},
): Promise<ResolvedTarget> {
  const configured = configuredTarget(options.profile);
  if (configured) return configured;
  const embedded = await startDevServer(options.devServer);
  return { ...localTarget(embedded), embedded };
}

/**
 * Longest wait, in ms, between a client's attempts to reach a server it lost. gRPC's own grows 1.6-fold
 * per failed attempt up to 120 s, so a client waiting through a 25 s outage found the server back up
 * to 17 s late, and through longer ones its retries (UNAVAILABLE_SERVER_ATTEMPTS) could run out first.
 */
export const RECONNECT_BACKOFF_CEILING_MS = 2_000;

/**
 * A client connection; an unreachable address becomes one clear error line naming it.
 * `dataConverter` carries the blob store (storage/): it must be the one the workers use. `loss` ends
 * the client's calls once its embedded server is gone (serverLoss.ts).
 */
export async function connectClient(
  target: TemporalTarget,
  dataConverter?: DataConverter,
  loss?: ServerLoss,
): Promise<Client> {
  try {
    let closed = false;
    const options = target.connectConfig.connectionOptions as Parameters<typeof Connection.connect>[0];
    const connection = await Connection.connect({
      ...options,
      // A profile's own ceiling, if it sets one, wins.
      channelArgs: { 'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF_CEILING_MS, ...options?.channelArgs },
      connectTimeout: '10s',
      interceptors: [...closableInterceptors(() => closed), ...(loss ? [loss.grpcInterceptor()] : [])],
    });
    const close = connection.close.bind(connection);
    connection.close = () => {
      closed = true;
      return close();
    };
    return new Client({
      connection,
      namespace: target.namespace,
      interceptors: {
        workflow: [...(loss ? [loss.interceptor()] : []), queryRetryInterceptor(connection)],
      },
      ...(dataConverter ? { dataConverter } : {}),
    });
  } catch (error) {
    throw unreachableTarget(target, error);
  }
}
