import type { Payload } from '@temporalio/common';
import { decodeReferencePayload, isReferencePayload } from '@temporalio/common/lib/internal-non-workflow';

/** One offloaded payload named in a history: which driver holds it, and the driver's claim. */
export interface BlobReference {
  driverName: string;
  claimData: Record<string, string>;
  sizeBytes: number;
}

/** Proto messages nest a few levels (event, attributes, failure causes); nothing real goes deeper. */
const MAX_DEPTH = 64;

/**
 * Every external-storage reference in a history (or any decoded proto message): the payloads the SDK
 * replaced by a `temporal.api.sdk.v1.ExternalStorageReference` (metadata `encoding: json/protobuf`,
 * `messageType` that name). Recognised and decoded by the SDK's own helpers, so council reads exactly
 * what the SDK writes.
 */
export function referencesIn(message: unknown): BlobReference[] {
  const found: BlobReference[] = [];
  walk(message, 0, found);
  return found;
}

function walk(node: unknown, depth: number, found: BlobReference[]): void {
  if (node === null || typeof node !== 'object' || depth > MAX_DEPTH) return;
  if (node instanceof Uint8Array) return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, depth + 1, found);
    return;
  }
  if (looksLikePayload(node) && isReferencePayload(node)) {
    found.push(decodeReferencePayload(node));
    return;
  }
  for (const value of Object.values(node)) walk(value, depth + 1, found);
}

function looksLikePayload(node: object): node is Payload {
  const metadata = (node as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null && 'encoding' in metadata;
}
