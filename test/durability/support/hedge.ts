import type { LLMock } from '@copilotkit/aimock';
import { completedCalls } from './llm';

/** The model of a hedge's backup: no expert's own, so a call's model tells a backup apart. */
export const backupModel = { provider: 'openai', model: 'gpt-4o-backup' } as const;

/** Each completed call as [speaker, model, worker tag], in the order the mock finished them. */
export function callsByModel(mock: LLMock): Array<[string, string | undefined, string | undefined]> {
  return completedCalls(mock).map((call) => [
    call.speaker,
    (call.entry.body as { model?: string } | null)?.model,
    call.worker,
  ]);
}
