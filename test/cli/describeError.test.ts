import { ServiceError } from '@temporalio/client';
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
});
