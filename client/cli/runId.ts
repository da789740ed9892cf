/**
 * A new id for a `run`: sortable by time, readable, unique enough for one person's history. In a
 * module of its own so `council run` can print it before loading the Temporal SDK.
 */
export function newRunId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
