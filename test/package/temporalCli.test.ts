import { startDevServer } from '../../client/runtime/devServer';
import { CouncilUserError } from '../../common/userError';

describe('an installed package without the temporal CLI', () => {
  const saved = process.env.TEMPORAL_CLI_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
    else process.env.TEMPORAL_CLI_PATH = saved;
  });

  // The hint named TEMPORAL_ADDRESS alone, which Council.local() (its caller from code) never reads.
  it('is told where to get it: the shipped install script, TEMPORAL_CLI_PATH, or a cluster', async () => {
    process.env.TEMPORAL_CLI_PATH = '/nonexistent/temporal';
    const start = startDevServer();
    await expect(start).rejects.toThrow(CouncilUserError);
    await expect(start).rejects.toMatchObject({
      message: 'TEMPORAL_CLI_PATH names /nonexistent/temporal, which does not exist',
      hint: expect.stringMatching(
        /scripts\/install-temporal\.sh.*TEMPORAL_CLI_PATH.*TEMPORAL_ADDRESS for the `council` command, Council\.connect\(\) from code$/,
      ),
    });
  });
});
