import { NamespaceNotFoundError, ServiceError } from '@temporalio/client';
import { CouncilUserError } from '../../common/userError';
import { describeError } from '../../client/cli/main';

describe('the one line the CLI prints for an error', () => {
  it("adds what the server said under the SDK's wrapper, which alone says nothing", () => {
    const grpc = Object.assign(
      new Error('9 FAILED_PRECONDITION: Unable to query workflow due to Workflow Task in failed state.'),
      { code: 9 },
    );
    const error = new ServiceError('Failed to query Workflow', { cause: grpc });
    expect(describeError(error)).toBe(
      'Failed to query Workflow: 9 FAILED_PRECONDITION: Unable to query workflow due to Workflow Task in failed state.',
    );
  });

  it('keeps a person-facing error to its message and hint, and repeats no cause already in the line', () => {
    expect(describeError(new CouncilUserError('bad --limit', 'pass a number'))).toBe(
      'bad --limit (pass a number)',
    );
    const inner = new Error('connection refused');
    expect(describeError(new Error('connect: connection refused', { cause: inner }))).toBe(
      'connect: connection refused',
    );
    expect(describeError('plain')).toBe('plain');
  });

  it('names a namespace the server lacks and how to make it, for a client call and for a worker', () => {
    const fix =
      'create it (temporal operator namespace create --namespace research), or set TEMPORAL_NAMESPACE to one that exists';
    expect(describeError(new NamespaceNotFoundError('research'))).toBe(
      `namespace "research" does not exist on this Temporal server (${fix})`,
    );
    // What Worker.create throws, from the SDK's core (its message goes on with the gRPC status).
    const fromWorker = new Error(
      'Namespace research was not found or otherwise could not be described: Status { code: NotFound, message: "Namespace research is not found." }',
    );
    expect(describeError(new Error('worker failed', { cause: fromWorker }))).toBe(
      `namespace "research" does not exist on this Temporal server (${fix})`,
    );
  });
});
