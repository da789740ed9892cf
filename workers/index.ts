/**
 * `council/worker`: what a process that serves council's workflows needs. Mount them into your own
 * worker with {@link councilPlugin}, or create a ready worker with {@link createCouncilWorker}.
 */
export { councilPlugin, type CouncilPluginOptions } from './plugin';
export {
  bundleCouncilWorkflows,
  createCouncilWorker,
  WORKFLOWS_PATH,
  type CouncilBundleOptions,
  type CouncilWorkerOptions,
} from './worker';
export {
  createLlmActivities,
  missingProviderKeys,
  loadProviderPolicy,
  providerClientsFromEnv,
  providerEnvVars,
  type LlmActivities,
  type LlmActivityOptions,
  type ProviderClients,
} from '../activities';
export { blobStoreFromEnv } from '../storage';
