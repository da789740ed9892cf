import type { Command } from 'commander';
import { z } from 'zod';
import { blobStoreFromEnv } from '../../storage';
import { startCodecServer } from '../../storage/codecServer';
import { gc } from '../../storage/gc';
import { configuredTarget } from '../runtime/connection';
import { CouncilUserError } from '../../common/userError';
import { dataDirectory } from '../runtime/localServer';
import { createOutput } from './output';
import { connectionFlags, withConnectionOptions } from './options';
import { openRuntime } from '../runtime/commandRuntime';
import { listedCommand } from './help';
import { durationMs } from './duration';

const UNIT_MS = { h: 3_600_000, d: 86_400_000 } as const;
/** A century: older than that is no date a blob could have, and the cutoff stays a valid Date. */
const MAX_AGE_DAYS = 36_500;

/** `30d`, `12h`, `1d12h` in ms; at least an hour, so a blob whose run has not recorded it yet is safe. */
export function parseAge(text: string): number {
  const ms = durationMs(text) ?? NaN;
  if (!Number.isFinite(ms) || ms < UNIT_MS.h || ms > MAX_AGE_DAYS * UNIT_MS.d) {
    throw new CouncilUserError(
      `--older-than ${text}: expected an age from 1h to ${MAX_AGE_DAYS}d`,
      'e.g. 30d, 12h, 1d12h',
    );
  }
  return ms;
}

/** `council gc`: removes old blobs that no run the server keeps references. */
export function gcCommand(): Command {
  const command = listedCommand('gc')
    .option('--older-than <age>', 'e.g. 30d or 12h (default: the namespace retention period)')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'print the result as JSON');
  withConnectionOptions(command);
  return command.action(async (options: { olderThan?: string; dryRun?: boolean; json?: boolean }) => {
    const out = createOutput(options.json === true);
    const olderThanMs = options.olderThan ? parseAge(options.olderThan) : undefined;
    const runtime = await openRuntime(connectionFlags(options));
    try {
      const store = runtime.blobStore;
      if (!store)
        throw new CouncilUserError('no blob store is configured', 'set COUNCIL_BLOB_STORE=dir or s3');
      const result = await gc({
        client: runtime.client,
        namespace: runtime.namespace,
        store,
        dryRun: options.dryRun === true,
        ...(olderThanMs !== undefined ? { olderThanMs } : {}),
      });
      if (out.json)
        return out.result({ type: 'gc', store: store.describe, dryRun: options.dryRun === true, ...result });
      const verb = options.dryRun ? 'would remove' : 'removed';
      out.say(
        `${store.describe}: ${verb} ${result.removed.length} blob(s) older than ${result.olderThanMs / UNIT_MS.h} h; ` +
          `kept ${result.kept} (${result.referenced} referenced by ${result.workflowsScanned} run(s) scanned)`,
      );
    } finally {
      await runtime.close();
    }
  });
}

const portSchema = z.coerce.number().int().min(0).max(65_535);

/** `council codec-server`: lets the Web UI and `temporal workflow show` read stored and encrypted payloads. */
export function codecServerCommand(): Command {
  return listedCommand('codec-server')
    .option('--port <port>', 'port to listen on', '8234')
    .option(
      '--host <host>',
      'address to bind (anyone who reaches it can read the payloads); beyond loopback it needs --token',
      '127.0.0.1',
    )
    .option('--ui-origin <url>', 'the Web UI origin allowed by CORS', 'http://localhost:8233')
    .option('--profile <name>', 'temporal.toml profile (a configured cluster uses COUNCIL_BLOB_STORE)')
    .option('--data-dir <dir>', 'embedded server data: its blobs are in <dir>/blobs (COUNCIL_DATA_DIR)')
    .option(
      '--token <secret>',
      'required with encryption keys: clients send `Authorization: Bearer <secret>` (COUNCIL_CODEC_TOKEN)',
    )
    .action(
      async (options: {
        port: string;
        host: string;
        uiOrigin: string;
        profile?: string;
        dataDir?: string;
        token?: string;
      }) => {
        const port = portSchema.safeParse(options.port);
        if (!port.success) throw new CouncilUserError(`--port ${options.port}: expected a port number`);
        const local = configuredTarget(options.profile) === undefined;
        const blobs = blobStoreFromEnv(process.env, local ? { dataDir: dataDirectory(options.dataDir) } : {});
        const token = options.token ?? process.env.COUNCIL_CODEC_TOKEN?.trim();
        let server;
        try {
          server = await startCodecServer({
            store: blobs.store,
            codec: blobs.codec,
            token: token || undefined,
            host: options.host,
            port: port.data,
            uiOrigin: options.uiOrigin,
          });
        } catch (error) {
          blobs.close();
          throw error;
        }
        const say = (line: string) => process.stdout.write(`${line}\n`);
        const reads = [
          blobs.store ? `reading ${blobs.store.describe}` : 'no blob store',
          blobs.codec ? `decrypting with key ${blobs.codec.currentKeyId}` : 'no encryption keys',
        ].join(', ');
        say(`codec server at ${server.url}, ${reads}; CORS for ${options.uiOrigin}`);
        const auth = token ? ' --codec-auth "Bearer <token>"' : '';
        say(
          `use: temporal workflow show --codec-endpoint ${server.url}${auth} ..., or set it in the Web UI (Data Encoder)`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.close();
        blobs.close();
      },
    );
}
