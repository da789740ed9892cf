import { patched } from './patches';

/**
 * Since this patch a message, a person's message and a council's task keep their first line's
 * indentation (`tidyMessage`, common/validation.ts); before it, each was trimmed whole, and a message
 * that opened with indented code lost the indentation of its first line.
 */
export const MESSAGE_INDENTATION_PATCH = 'message-indentation';

/**
 * Whether this run keeps its messages' indentation. Ask it once, as the run starts: asked later
 * (after a local activity, say), a replay could meet the patch's marker out of place.
 */
export function keepsIndentation(): boolean {
  return patched(MESSAGE_INDENTATION_PATCH);
}

/**
 * An input the run is about to check (an update's or its start's), as the run reads it: a run
 * recorded before {@link MESSAGE_INDENTATION_PATCH} (`kept` false) read `field` trimmed whole, and
 * replays so.
 */
export function asRunReadsIt<T>(input: T, field: 'content' | 'task', kept: boolean): T {
  if (kept) return input;
  const text =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[field] : undefined;
  return typeof text === 'string' ? { ...input, [field]: text.trim() } : input;
}
