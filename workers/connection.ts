import { NativeConnection } from '@temporalio/worker';
import { CouncilUserError } from '../common/userError';
import type { TemporalTarget } from './target';

/** A worker connection to `target`; an unreachable address becomes one clear error line naming it. */
export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(target.connectConfig.connectionOptions);
  } catch (error) {
    throw unreachableTarget(target, error);
  }
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
