import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/worker';

export type History = temporal.api.history.v1.IHistory;

export const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');

/** A recorded history of test/fixtures/histories. */
export function loadHistory(file: string): History {
  const json: unknown = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
  return temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
}

/** Replays one history on `bundle`; its error, or undefined when it replayed. */
export async function replayOne(bundle: WorkflowBundle, history: History): Promise<unknown> {
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, [
    { workflowId: 'replayed', history },
  ]))
    return result.error;
  throw new Error('nothing replayed');
}

/** The real workflows, bundled with the module at `real` (absolute, no extension) swapped for `stand`. */
export function bundleWithModuleSwapped(real: string, stand: string): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m: string) => console.error(m),
    },
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as object), [real]: stand } },
    }),
  });
}
