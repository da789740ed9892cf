import { NativeConnection } from '@temporalio/worker';
import { unreachableTarget, type TemporalTarget } from './target';

/** A worker connection to `target`; an unreachable address becomes one clear error line naming it. */
export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(target.connectConfig.connectionOptions);
  } catch (error) {
    throw unreachableTarget(target, error);
  }
}
