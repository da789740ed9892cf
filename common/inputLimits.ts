import { LIMITS } from './defaults';

/**
 * Caps on what a config or a client may send, checked at the edge (zod schemas, the config loader)
 * so a hostile or mistaken input fails fast with a clear error instead of costing memory and time.
 */
export const INPUT_LIMITS = {
  /** A config file is read whole and parsed: past this it is refused before reading. */
  maxConfigFileBytes: 1024 * 1024,
  /**
   * A saved conversation (`council show --save`) is read whole: a council's stored messages fit many
   * times over, and only what fits its transcript budget is carried on anyway.
   */
  maxConversationFileBytes: 32 * 1024 * 1024,
  /** System prompts, descriptions and questions: as long as a message may be. */
  maxPromptChars: LIMITS.maxMessageChars,
  maxModelIdChars: 200,
  maxUrlChars: 2048,
  maxEnvNameChars: 128,
} as const;

/** Bytes as "N.N MiB" (or "N KiB" below a MiB), for size errors. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`;
}
