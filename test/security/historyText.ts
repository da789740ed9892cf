import type { Client } from '@temporalio/client';

/** Every byte array in a value (payload data in a history), decoded as UTF-8, newline-joined. */
function decodedBytes(value: unknown, out: string[], depth = 0): void {
  if (depth > 64 || value === null || typeof value !== 'object') return;
  if (value instanceof Uint8Array) {
    out.push(Buffer.from(value).toString('utf8'));
    return;
  }
  for (const child of Object.values(value as Record<string, unknown>)) decodedBytes(child, out, depth + 1);
}

/**
 * The text of a workflow's whole history, payloads decoded: what the server stores. Payload data is
 * bytes, so a plain JSON.stringify of the history would never show a stored string.
 */
export async function historyText(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const parts: string[] = [];
  decodedBytes(history, parts);
  return parts.join('\n');
}
