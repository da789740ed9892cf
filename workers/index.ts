/**
 * `council/worker`: what a process that serves council's workflows needs. Mount them into your own
 * worker with {@link councilPlugin}, or create a ready worker with {@link createCouncilWorker}.
 */
export { councilPlugin, type CouncilPluginOptions } from './plugin';
export { connectWorker } from './connection';
export {
  bundleCouncilWorkflows,
  createCouncilWorker,
  WORKFLOWS_PATH,
  type CouncilBundleOptions,
  type CouncilWorkerOptions,
  type WorkerPart,
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
  type WorkerEnv,
} from '../activities';
export type { Destination } from '../activities/clients';
export type { PeriodGrantRequest } from '../activities/periodGrant';
export type { ProviderPolicy, ProviderPolicyRules } from '../activities/policy';
export type { AdapterCall, ProviderResult } from '../activities/providers/common';
export type { ClientSettings, ProviderAdapter, ProviderErrorInfo } from '../activities/providers/adapter';
export type { ClientOf } from '../activities/providers/registry';
export type { WebhookBody, WebhookDelivery } from '../activities/types';
export { blobStoreFromEnv, type BlobStore, type DirStorageDriver, type OpenedBlobStore } from '../storage';
export type { AesGcmPayloadCodec } from '../storage/encryption';
export type { EncryptionKeyring } from '../storage/keys';
export type { AwsS3StorageClient, S3Location, S3ObjectEntry } from '../storage/s3Client';
