import { z } from 'zod';
import { CouncilUserError } from '../common/userError';
import { zodProblem, addProblem } from '../common/validation';
import { FileTooLargeError, readTextBounded } from './boundedRead';

/** AES-256 takes 32-byte keys. */
export const KEY_BYTES = 32;
/** A key file is a few lines of JSON; anything bigger is a wrong path, not a key file. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
/** Enough for years of rotation; a longer list is a mistake. */
const MAX_KEYS = 100;

const HOW_TO_MAKE_A_KEY = 'make a key with `openssl rand -base64 32`';

/** The keys that decrypt, and the one that encrypts. Every listed key decrypts, so keys can rotate. */
export interface EncryptionKeyring {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** Every variable {@link encryptionSettingsFromEnv} reads. */
export const ENCRYPTION_ENV_VARS = [
  'COUNCIL_ENCRYPTION_KEYS',
  'COUNCIL_ENCRYPTION_KEY_FILE',
  'COUNCIL_ENCRYPTION_KEY_ID',
] as const;

/** Key ids go into every payload's metadata and into error messages: short and printable. */
export const keyIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is 1-64 letters, digits, dots, dashes or underscores');

const keySchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, `must be base64 (${HOW_TO_MAKE_A_KEY})`)
  .transform((text) => Buffer.from(text, 'base64'))
  .refine((key) => key.length === KEY_BYTES, {
    message: `must decode to ${KEY_BYTES} bytes for AES-256 (${HOW_TO_MAKE_A_KEY})`,
  });

const keyMapSchema = z
  .record(z.string(), keySchema)
  // zod reports a bad record key without its message: check ids here to say what is wrong.
  .superRefine((keys, ctx) => {
    for (const id of Object.keys(keys)) {
      const checked = keyIdSchema.safeParse(id);
      if (!checked.success) addProblem(ctx, [id], checked.error.issues[0]!.message);
    }
  })
  .refine((keys) => Object.keys(keys).length > 0, 'lists no key')
  .refine((keys) => Object.keys(keys).length <= MAX_KEYS, `lists more than ${MAX_KEYS} keys`);

/**
 * Parses a key list: a JSON object `{"k1":"<base64>", ...}` or `k1:<base64>,k2:<base64>`.
 * `source` names where the text came from, for the error.
 */
export function parseKeyList(text: string, source: string): Map<string, Buffer> {
  const trimmed = text.trim();
  let raw: unknown;
  if (trimmed.startsWith('{')) {
    try {
      raw = JSON.parse(trimmed);
    } catch {
      // JSON.parse's message quotes the text around the fault, which may well be a key.
      throw keyError(
        `${source} is not valid JSON: write it as {"id": "<base64 key>", ...}, each key in quotes`,
      );
    }
  } else {
    const entries = trimmed
      .split(',')
      .filter((item) => item.trim() !== '')
      .map((item, index) => {
        const colon = item.indexOf(':');
        // The entry is not echoed: it may well be a bare key.
        if (colon < 0) throw keyError(`${source}: entry ${index + 1} is not id:base64key`);
        return [item.slice(0, colon).trim(), item.slice(colon + 1).trim()] as const;
      });
    raw = Object.fromEntries(entries);
  }
  const parsed = keyMapSchema.safeParse(raw);
  if (!parsed.success) throw keyError(`${source}: ${zodProblem(parsed.error)}`);
  return new Map(Object.entries(parsed.data));
}

/**
 * The keyring COUNCIL_ENCRYPTION_KEYS and/or COUNCIL_ENCRYPTION_KEY_FILE list (a JSON object of id to
 * base64 key, or `id:key,id2:key2` in the variable), encrypting with COUNCIL_ENCRYPTION_KEY_ID (needed
 * only when more than one key is listed). Undefined when neither lists keys: encryption is off.
 */
export function encryptionSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): EncryptionKeyring | undefined {
  const keys = new Map<string, Buffer>();
  const add = (found: Map<string, Buffer>, source: string) => {
    for (const [id, key] of found) {
      const existing = keys.get(id);
      if (existing && !existing.equals(key))
        throw keyError(`key "${id}" in ${source} differs from the one listed before`);
      keys.set(id, key);
    }
  };
  const list = env.COUNCIL_ENCRYPTION_KEYS?.trim();
  if (list) add(parseKeyList(list, 'COUNCIL_ENCRYPTION_KEYS'), 'COUNCIL_ENCRYPTION_KEYS');
  const file = env.COUNCIL_ENCRYPTION_KEY_FILE?.trim();
  if (file) add(parseKeyList(readKeyFile(file), `COUNCIL_ENCRYPTION_KEY_FILE (${file})`), file);
  const wanted = env.COUNCIL_ENCRYPTION_KEY_ID?.trim();
  if (keys.size === 0) {
    if (wanted) throw keyError('COUNCIL_ENCRYPTION_KEY_ID is set but no key is listed');
    return undefined;
  }
  const ids = [...keys.keys()];
  if (!wanted) {
    if (ids.length === 1) return { currentKeyId: ids[0]!, keys };
    throw keyError(
      `${ids.length} keys are listed (${ids.join(', ')}): set COUNCIL_ENCRYPTION_KEY_ID to the one that encrypts`,
    );
  }
  if (!keys.has(wanted)) {
    throw keyError(
      `COUNCIL_ENCRYPTION_KEY_ID names "${wanted}", which is not among the listed keys (${ids.join(', ')})`,
    );
  }
  return { currentKeyId: wanted, keys };
}

function readKeyFile(file: string): string {
  try {
    return readTextBounded(file, MAX_KEY_FILE_BYTES);
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      throw keyError(
        `COUNCIL_ENCRYPTION_KEY_FILE (${file}) holds over ${MAX_KEY_FILE_BYTES} bytes: not a key file`,
      );
    }
    throw keyError(`cannot read COUNCIL_ENCRYPTION_KEY_FILE (${file}): ${(error as Error).message}`);
  }
}

function keyError(message: string): CouncilUserError {
  return new CouncilUserError(
    `invalid encryption keys: ${message}`,
    `COUNCIL_ENCRYPTION_KEYS='k1:<base64>' or a JSON file {"k1":"<base64>"} in COUNCIL_ENCRYPTION_KEY_FILE; ${HOW_TO_MAKE_A_KEY}`,
  );
}
