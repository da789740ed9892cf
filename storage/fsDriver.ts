import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  StorageDriverClaim,
  type Payload,
  type StorageDriver,
  type StorageDriverRetrieveContext,
  type StorageDriverStoreContext,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { BlobUnavailableError } from './errors';
import { makeDirectory } from './directories';

const PayloadProto = temporal.api.common.v1.Payload;

/** The wire name of council's directory store in reference payloads; readers must register it too. */
export const DIR_DRIVER_NAME = 'council.dir';

/** A blob's key: its content hash, fanned out by the first two hex digits to keep folders small. */
export function blobKey(bytes: Uint8Array): { key: string; hash: string } {
  const hash = createHash('sha256').update(bytes).digest('hex');
  return { key: `sha256/${hash.slice(0, 2)}/${hash}`, hash };
}

/**
 * A {@link StorageDriver} keeping payloads as files under `<dir>` (council puts it at
 * `<dataDir>/blobs`, next to temporal.sqlite). Keys are the SHA-256 of the serialized payload, so a
 * retried activity or a replayed workflow task that offloads the same content writes nothing new; a
 * write goes to a temporary file renamed into place, so a reader never sees half a blob.
 */
export class DirStorageDriver implements StorageDriver {
  readonly name = DIR_DRIVER_NAME;
  readonly type = 'council.dir';

  constructor(readonly dir: string) {}

  /** How errors name this store. */
  describe(): string {
    return `the directory store ${this.dir}`;
  }

  async store(_context: StorageDriverStoreContext, payloads: Payload[]): Promise<StorageDriverClaim[]> {
    return Promise.all(payloads.map((payload) => this.storeOne(payload)));
  }

  async retrieve(_context: StorageDriverRetrieveContext, claims: StorageDriverClaim[]): Promise<Payload[]> {
    return Promise.all(claims.map((claim) => this.retrieveOne(claim)));
  }

  /** Absolute path of a key; a key that would leave the store is refused. */
  pathOf(key: string): string {
    if (!/^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) {
      throw new BlobUnavailableError(
        key,
        this.describe(),
        'not a key of this store (expected sha256/xx/<hash>)',
      );
    }
    return path.join(this.dir, key);
  }

  private async storeOne(payload: Payload): Promise<StorageDriverClaim> {
    const bytes = PayloadProto.encode(payload).finish();
    const { key, hash } = blobKey(bytes);
    const file = this.pathOf(key);
    if (await exists(file)) {
      // Same content already stored: refresh its age so retention counts from the last use.
      const now = new Date();
      await utimes(file, now, now);
    } else {
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        makeDirectory(path.dirname(file));
        await writeFile(temp, bytes, { mode: 0o600 });
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw new Error(`cannot write blob ${key} to ${this.describe()}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    return new StorageDriverClaim({ key, hashAlgorithm: 'sha256', hashValue: hash });
  }

  private async retrieveOne(claim: StorageDriverClaim): Promise<Payload> {
    const key = claim.claimData.key ?? '(no key in claim)';
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(key));
    } catch (error) {
      if (error instanceof BlobUnavailableError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'no such file (deleted, or written to another store)' : String(error);
      throw new BlobUnavailableError(key, this.describe(), reason, { cause: error });
    }
    const actual = blobKey(bytes).hash;
    if (claim.claimData.hashValue && actual !== claim.claimData.hashValue) {
      throw new BlobUnavailableError(key, this.describe(), `content hash is ${actual}, not the claimed one`);
    }
    return PayloadProto.decode(bytes);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
