import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { bundleWithModuleSwapped, loadHistory, replayOne } from './support';

describe('a workflow run loads only its own workflow module (workflows/index.ts)', () => {
  let councilUnloadable: WorkflowBundle;

  beforeAll(async () => {
    councilUnloadable = await bundleWithModuleSwapped(
      path.resolve(__dirname, '../../workflows/council/workflow'),
      path.resolve(__dirname, 'unloadable/councilWorkflow'),
    );
  }, 60_000);

  it("replays a session without loading the council workflow's module", async () => {
    expect(
      await replayOne(councilUnloadable, loadHistory('session-broadcast.call-ids.json')),
    ).toBeUndefined();
  });

  it('loads it for a council run (the swap is in the bundle)', async () => {
    const error = await replayOne(councilUnloadable, loadHistory('council-parallel.json'));
    expect(String(error)).toMatch(/the council workflow module was loaded/);
  });
});
