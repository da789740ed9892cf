import type { IncomingMessage } from 'node:http';

// The HTTP servers of council (the codec server here, the web UI in client/ui) read request bodies
// the same bounded way; this is the lowest layer both of them may import.

/** Reads a request body up to `maxBytes`; past it, the request is refused rather than buffered. */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
