import { clusterEnv, runCli, stopStartedClis } from './cli';

jest.setTimeout(300_000);
afterAll(stopStartedClis);

describe('council resynthesize', () => {
  it('says plainly when the source is no council', async () => {
    const result = await runCli(['resynthesize', 'no-such-council-id'], clusterEnv('resynthesize-missing'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no session or council with id "no-such-council-id"');
  });
});
