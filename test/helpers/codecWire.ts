import type { Payload } from '@temporalio/common';

// What a codec server test sends and reads: payloads as found in a history, and in the JSON wire
// form the Temporal Web UI posts (metadata values and data base64-encoded).

/** Every payload object in a history, as found: references included. */
export function payloadsIn(node: unknown, found: Payload[] = []): Payload[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return found;
  if (Array.isArray(node)) {
    for (const item of node) payloadsIn(item, found);
  } else if ('metadata' in node && 'data' in node) {
    found.push(node as Payload);
  } else {
    for (const value of Object.values(node)) payloadsIn(value, found);
  }
  return found;
}

/** Bytes as base64; absent bytes as the empty string. */
export const b64 = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? new Uint8Array()).toString('base64');

/** A payload in the codec server's JSON wire form. */
export const wire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});
