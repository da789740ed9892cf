import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import type { BlobStore } from './converter';
import { explainEncrypted } from './encryption';
import { referencesIn } from './references';

/** What `gc` is given. */
export interface GcOptions {
  client: Client;
  namespace: string;
  store: BlobStore;
  /** Remove blobs not used for this long; default: the namespace's retention period. */
  olderThanMs?: number;
  /** Only report what would be removed. */
  dryRun?: boolean;
  /** A bound on the histories scanned; past it gc refuses to remove anything rather than guess. */
  maxWorkflows?: number;
  /** For tests: the current time. */
  nowMs?: number;
}

/** What `gc` found and did. */
export interface GcResult {
  olderThanMs: number;
  workflowsScanned: number;
  referenced: number;
  kept: number;
  removed: string[];
}

const DEFAULT_MAX_WORKFLOWS = 100_000;
const MAX_LIST_PAGES = 100_000;

/**
 * Removes blobs older than `olderThanMs` (default: the namespace retention) that no run the server
 * still keeps references, open or closed. Blobs are content-addressed and may be shared by runs, so a
 * blob is kept while any history names it; the histories are read, not guessed from key names. The
 * age keeps a blob just written whose history does not name it yet. A directory blob's age counts
 * from its last write or reuse.
 */
export async function gc(options: GcOptions): Promise<GcResult> {
  const { client, namespace, store } = options;
  const olderThanMs = options.olderThanMs ?? (await namespaceRetentionMs(client, namespace));
  const cutoffMs = (options.nowMs ?? Date.now()) - olderThanMs;
  const { keys, workflowsScanned } = await referencedKeys(options);
  const removed: string[] = [];
  let kept = 0;
  for await (const blob of inventory(store)) {
    if (blob.modifiedMs >= cutoffMs || keys.has(blob.key)) {
      kept += 1;
      continue;
    }
    if (!options.dryRun && !(await remove(store, blob.key, cutoffMs))) {
      kept += 1;
      continue;
    }
    removed.push(blob.key);
  }
  return { olderThanMs, workflowsScanned, referenced: keys.size, kept, removed };
}

/** The namespace's workflow execution retention, in ms. */
export async function namespaceRetentionMs(client: Client, namespace: string): Promise<number> {
  const reply = await client.workflowService.describeNamespace({ namespace });
  const ttl = reply.config?.workflowExecutionRetentionTtl;
  const ms = Number(ttl?.seconds ?? 0) * 1000 + Math.floor((ttl?.nanos ?? 0) / 1e6);
  if (ms <= 0) throw new Error(`namespace ${namespace} reports no retention period; pass an age explicitly`);
  return ms;
}

/**
 * Keys of this store named by the histories of every run the server keeps. Only open runs and runs
 * closed within the age were read once: an age below the retention then removed the blobs of runs
 * closed before it, whose histories `council show` still read.
 */
async function referencedKeys(options: GcOptions) {
  const { client, store } = options;
  const maxWorkflows = options.maxWorkflows ?? DEFAULT_MAX_WORKFLOWS;
  const keys = new Set<string>();
  let workflowsScanned = 0;
  const connection = await historyConnection(client);
  try {
    for await (const execution of client.workflow.list()) {
      workflowsScanned += 1;
      if (workflowsScanned > maxWorkflows) {
        throw new Error(`more than ${maxWorkflows} workflows to scan; nothing removed (raise maxWorkflows)`);
      }
      for await (const events of historyPages(connection, options.namespace, execution)) {
        for (const reference of referencesIn(events)) {
          const key = reference.claimData.key;
          if (reference.driverName === store.driver.name && key) keys.add(key);
        }
      }
    }
  } catch (error) {
    // Listing decodes every run's memo: an encrypted one needs the keys.
    throw explainEncrypted(error);
  } finally {
    await connection.close();
  }
  return { keys, workflowsScanned };
}

/** A run's history can hold at most 51,200 events (the server's limit). */
const MAX_HISTORY_PAGES = 51_200;
/** Events of up to 2 MB each: 16 of them stay far below the receive limit below. */
const HISTORY_PAGE_SIZE = 16;
/**
 * The SDK 1.24 means to raise gRPC's 4 MB receive limit but names the channel argument without its
 * `grpc.` prefix, so a page of large payloads fails with RESOURCE_EXHAUSTED: gc reads on a
 * connection of its own with the limit set.
 */
const HISTORY_RECEIVE_BYTES = 128 * 1024 * 1024;

/** A connection like the client's, able to receive history pages of large payloads. */
async function historyConnection(client: Client): Promise<Connection> {
  const { options } = client.connection as Connection;
  return Connection.connect({
    ...options,
    channelArgs: { ...options.channelArgs, 'grpc.max_receive_message_length': HISTORY_RECEIVE_BYTES },
  });
}

/** A run's events, page by page. */
async function* historyPages(
  connection: Connection,
  namespace: string,
  run: { workflowId: string; runId: string },
) {
  let nextPageToken: Uint8Array | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page += 1) {
    const reply = await connection.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: run,
      maximumPageSize: HISTORY_PAGE_SIZE,
      nextPageToken,
    });
    yield reply.history?.events ?? [];
    if (!reply.nextPageToken?.length) return;
    nextPageToken = reply.nextPageToken;
  }
  throw new Error(`history of ${run.workflowId} has more than ${MAX_HISTORY_PAGES} pages`);
}

interface StoredBlob {
  key: string;
  modifiedMs: number;
}

async function* inventory(store: BlobStore): AsyncGenerator<StoredBlob> {
  if (store.kind === 'dir') {
    const root = store.driver.dir;
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const info = await stat(file).catch(() => undefined);
      // Leftover temporary files of an interrupted write are blobs nobody references.
      if (info) yield { key: path.relative(root, file).split(path.sep).join('/'), modifiedMs: info.mtimeMs };
    }
    return;
  }
  let token: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const { objects, next } = await store.client.listPage('v0/', token);
    yield* objects;
    if (!next) return;
    token = next;
  }
  throw new Error(`the bucket ${store.bucket} lists more than ${MAX_LIST_PAGES} pages; stopped`);
}

/**
 * Deletes one blob; false when a directory blob was reused (its time refreshed) since it was listed,
 * which narrows the race with a run storing the same content while gc runs to a single stat.
 */
async function remove(store: BlobStore, key: string, cutoffMs: number): Promise<boolean> {
  if (store.kind === 's3') {
    await store.client.deleteObject(key);
    return true;
  }
  const file = path.join(store.driver.dir, ...key.split('/'));
  const info = await stat(file).catch(() => undefined);
  if (info && info.mtimeMs >= cutoffMs) return false;
  await rm(file, { force: true });
  return true;
}
