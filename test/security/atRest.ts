import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Bytes kept somewhere at rest, and where. */
export interface StoredBytes {
  where: string;
  bytes: Buffer;
}

/** The dev server's SQLite database with its write-ahead log: recent commits sit in the -wal file. */
export async function sqliteFiles(dbFile: string): Promise<StoredBytes[]> {
  const files = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`].filter((file) => existsSync(file));
  return Promise.all(files.map(async (file) => ({ where: file, bytes: await readFile(file) })));
}

/** Every file under a blob store directory (bounded: a test store holds a handful). */
export async function blobFiles(dir: string): Promise<StoredBytes[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).slice(0, 1_000);
  return Promise.all(
    files.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { where: file, bytes: await readFile(file) };
    }),
  );
}

/**
 * An exported history (historyToJSON) as a reader would search it: the JSON text, and every string
 * in it decoded from base64, since the export writes payload data and metadata in base64.
 */
export function exportedHistory(json: string, where: string): StoredBytes[] {
  const decoded: Buffer[] = [];
  JSON.parse(json, (_key, value: unknown) => {
    if (typeof value === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      decoded.push(Buffer.from(value, 'base64'));
    }
    return value;
  });
  return [
    { where, bytes: Buffer.from(json, 'utf8') },
    { where: `${where} (base64 fields decoded)`, bytes: Buffer.concat(decoded) },
  ];
}

/** Which of the secrets appear in which stored bytes, as `secret in where` lines. */
export function sightings(stored: StoredBytes[], secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const { where, bytes } of stored) {
    for (const [name, secret] of Object.entries(secrets)) {
      if (bytes.includes(secret)) found.push(`${name} in ${where}`);
    }
  }
  return found;
}

/** The names of the secrets found anywhere in the stored bytes, sorted. */
export function secretsSeen(stored: StoredBytes[], secrets: Record<string, string>): string[] {
  return Object.keys(secrets)
    .filter((name) => stored.some(({ bytes }) => bytes.includes(secrets[name]!)))
    .sort();
}
