import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { CouncilUserError } from './errors';

/**
 * An update sent to a workflow that has ended fails with `WorkflowNotFoundError` ("workflow
 * execution already completed"), the same error as for an id that never existed. This tells the two
 * apart with one `describe()` and returns one readable error; any other error is returned unchanged.
 */
export async function explainEnded(
  handle: WorkflowHandle,
  kind: 'session' | 'council',
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof WorkflowNotFoundError)) return error;
  const id = handle.workflowId;
  const status = await handle.describe().then(
    (description) => description.status.name.toLowerCase(),
    () => undefined,
  );
  if (status === undefined) {
    return new CouncilUserError(`no ${kind} with id "${id}"`, 'see `council session list`', { cause: error });
  }
  return new CouncilUserError(`${kind} "${id}" is closed (${status})`, `start a new ${kind}`, {
    cause: error,
  });
}
