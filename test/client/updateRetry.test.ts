import {
  ServiceError,
  type WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import {
  ApplicationFailure,
  defaultFailureConverter,
  defaultPayloadConverter,
  type UpdateDefinition,
} from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import {
  executeUpdateWithRetry,
  isAbortedByTaskFailure,
  isRetriableUpdateError,
  isUnprocessedByWorker,
} from '../../client/api/updateRetry';
import { BlobUnavailableError } from '../../storage/errors';

// The shared classifier of update failures, with no server: each error is built as the client SDK
// builds it, its cause decoded by the SDK's own failure converter from the failure the server sends.

/** The server's failure for an update no worker answered (temporal server, errors_failures.go). */
const UNPROCESSED: temporal.api.failure.v1.IFailure = {
  message:
    "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not supported by the worker.",
  source: 'Server',
  applicationFailureInfo: { type: 'UnprocessedUpdate', nonRetryable: true },
};

/** A WorkflowUpdateFailedError as the client raises it for an update whose outcome is `failure`. */
function updateFailed(failure: temporal.api.failure.v1.IFailure): WorkflowUpdateFailedError {
  const cause = defaultFailureConverter.failureToError(failure, defaultPayloadConverter);
  return new WorkflowUpdateFailedError('Workflow Update failed', cause);
}

describe('the update retry classifier', () => {
  it("asks again after the server's rejection of an update no worker processed", () => {
    const error = updateFailed(UNPROCESSED);
    expect(error.cause).toBeInstanceOf(ApplicationFailure);
    expect(isUnprocessedByWorker(error)).toBe(true);
    expect(isRetriableUpdateError(error)).toBe(true);
    // By its message alone too (a server that sends no type).
    const untyped = updateFailed({ message: UNPROCESSED.message, source: 'Server' });
    expect(isRetriableUpdateError(untyped)).toBe(true);
  });

  it('asks again after the server aborted the update because its workflow task failed', () => {
    // As the client raises it: a ServiceError whose cause is the gRPC error (FAILED_PRECONDITION, 9).
    const grpc = (details: string) =>
      new ServiceError('Workflow Update failed', {
        cause: Object.assign(new Error(`9 FAILED_PRECONDITION: ${details}`), {
          code: 9,
          details,
          metadata: {},
        }),
      });
    const aborted = grpc(
      'Unable to perform workflow execution update due to unexpected workflow task failure.',
    );
    expect(isAbortedByTaskFailure(aborted)).toBe(true);
    expect(isRetriableUpdateError(aborted)).toBe(true);
    expect(isRetriableUpdateError(grpc('Workflow is not ready.'))).toBe(false);
  });

  it('asks again after a request that timed out', () => {
    const error = new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout waiting for Update', {
      cause: new Error('deadline exceeded'),
    });
    expect(isRetriableUpdateError(error)).toBe(true);
  });

  it("never asks again after the workflow's own refusal, a failed handler or an ended run", () => {
    const refused = updateFailed({
      message: 'no expert with id "zz" in this council',
      source: 'TypeScriptSDK',
      applicationFailureInfo: { type: 'InvalidRequest', nonRetryable: true },
    });
    expect(isRetriableUpdateError(refused)).toBe(false);
    expect(
      isRetriableUpdateError(
        new WorkflowNotFoundError('workflow execution already completed', 'x', undefined),
      ),
    ).toBe(false);
    expect(isRetriableUpdateError(new Error("wasn't processed by worker"))).toBe(false);
  });
});

// Polling for an update's outcome (the first request came back before the update completed, as on a
// busy server), the SDK reads the outcome's payloads inside its gRPC guard and wraps what fails there
// in "Unexpected error while making gRPC request": a blob this client's store lacks said only that.
describe("an update's outcome the client cannot read", () => {
  it("is the store's own error, naming the blob and the store, not the SDK's wrapper", async () => {
    const missing = new BlobUnavailableError(
      'sha256/ab/' + 'c'.repeat(64),
      'the directory store /tmp/x',
      'no such file',
    );
    const handle = {
      workflowId: 'session-1',
      executeUpdate: async () => {
        throw new ServiceError('Unexpected error while making gRPC request', { cause: missing });
      },
    } as unknown as WorkflowHandle;
    const update = { type: 'update', name: 'anything' } as unknown as UpdateDefinition<string, []>;
    await expect(executeUpdateWithRetry(handle, 'session', update)).rejects.toBe(missing);
  });
});
