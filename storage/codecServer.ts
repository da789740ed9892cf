import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExternalStorage, type Payload, type PayloadCodec } from '@temporalio/common';
import { ExternalStorageRunner } from '@temporalio/common/lib/internal-non-workflow';
import { z } from 'zod';
import { CouncilUserError } from '../common/userError';
import { parseJsonAs } from '../common/validation';
import type { BlobStore } from './converter';
import { readBody } from './httpBody';

/** How `council codec-server` listens. */
export interface CodecServerOptions {
  /** Where offloaded payloads are; without one, references are left as they are. */
  store?: BlobStore | undefined;
  /** council's encryption codec (storage/encryption.ts); with it, a {@link token} is required. */
  codec?: PayloadCodec | undefined;
  /** The secret every request must send as `Authorization: Bearer <token>` (the CORS preflight aside). */
  token?: string | undefined;
  /** 127.0.0.1 unless told otherwise: the server hands out stored content to whoever can reach it. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The one browser origin allowed to call (the Web UI, e.g. http://localhost:8233); none if unset. */
  uiOrigin?: string;
}

/** A running codec server. */
export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

/** Requests carry references (a few hundred bytes each); encode requests carry what the UI sends. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const wirePayload = z.object({
  metadata: z.record(z.string(), z.string()).optional(),
  data: z.string().optional(),
  externalPayloads: z.array(z.unknown()).optional(),
});
const wireBody = z.object({ payloads: z.array(wirePayload).max(10_000) });
type WirePayload = z.infer<typeof wirePayload>;

/** Addresses only this machine reaches: a server on one of them needs no token for its store. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1']);

/** What the server needs to answer: the codec's two directions, and the token check. */
interface Handlers {
  decode(payloads: Payload[]): Promise<Payload[]>;
  encode(payloads: Payload[]): Promise<Payload[]>;
  authorized(header: string | undefined): boolean;
}

/**
 * Temporal's remote codec protocol (POST /decode and /encode with `{payloads: [...]}` in proto JSON,
 * bytes in base64), so the Web UI and `temporal workflow show --codec-endpoint` show stored content:
 * /decode replaces each external-storage reference by the payload it names, read through the SDK's
 * own retrieval, then decrypts with the codec; /encode encrypts with the codec (offloading is the
 * SDK's job, not the UI's). A server that decrypts refuses to start without a token.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  if (!options.store && !options.codec) {
    throw new CouncilUserError(
      'the codec server has nothing to decode: no blob store and no encryption keys are configured',
      'set COUNCIL_BLOB_STORE and/or COUNCIL_ENCRYPTION_KEYS (or COUNCIL_ENCRYPTION_KEY_FILE)',
    );
  }
  if (options.codec && !options.token) {
    throw new CouncilUserError(
      'the codec server decrypts payloads: it needs a token, or anyone who reaches it could read them',
      'pass --token <secret> or set COUNCIL_CODEC_TOKEN (e.g. `openssl rand -hex 32`); clients send it as ' +
        '`Authorization: Bearer <secret>` (temporal CLI: --codec-auth "Bearer <secret>")',
    );
  }
  const host = options.host ?? '127.0.0.1';
  if (!options.token && !LOOPBACK_HOSTS.has(host)) {
    throw new CouncilUserError(
      `the codec server would listen on ${host}, beyond this machine, with no token: anyone who reaches it could read the stored payloads`,
      'pass --token <secret> or set COUNCIL_CODEC_TOKEN, or listen on 127.0.0.1 (the default)',
    );
  }
  const handlers = codecHandlers(options);
  const server = http.createServer((request, response) => {
    handle(request, response, handlers, options).catch((error: unknown) => {
      reply(response, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function codecHandlers(options: CodecServerOptions): Handlers {
  const runner = options.store
    ? new ExternalStorageRunner(new ExternalStorage({ drivers: [options.store.driver] }))
    : undefined;
  const codec = options.codec;
  // Digests of equal length, so the comparison takes the same time whatever the header holds.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = options.token === undefined ? undefined : digest(`Bearer ${options.token}`);
  return {
    // References first: a blob holds what the codec encoded, before it was offloaded.
    async decode(payloads) {
      const retrieved = runner ? await runner.retrieve(payloads) : payloads;
      return codec ? codec.decode(retrieved) : retrieved;
    },
    async encode(payloads) {
      return codec ? codec.encode(payloads) : payloads;
    },
    authorized(header) {
      if (!expected) return true;
      return header !== undefined && timingSafeEqual(digest(header), expected);
    },
  };
}

async function handle(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  handlers: Handlers,
  options: CodecServerOptions,
): Promise<void> {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (origin !== options.uiOrigin)
      return reply(response, 403, { error: `origin ${origin} is not allowed` });
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    response.setHeader('Vary', 'Origin');
  }
  if (request.method === 'OPTIONS') return reply(response, 204);
  const operation = /\/(decode|encode)\/?$/.exec(request.url ?? '')?.[1];
  if (request.method !== 'POST' || !operation) {
    return reply(response, 404, { error: 'POST /decode or /encode with {"payloads": [...]}' });
  }
  if (!handlers.authorized(request.headers.authorization)) {
    response.setHeader('WWW-Authenticate', 'Bearer');
    return reply(response, 401, { error: 'send the codec token as `Authorization: Bearer <token>`' });
  }
  const text = await readBody(request, MAX_BODY_BYTES);
  if (text === undefined) return reply(response, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
  const parsed = parseJsonAs(wireBody, text);
  if (!parsed.success) {
    return reply(response, 400, {
      error: parsed.notJson ? 'the body is not JSON' : `bad request: ${parsed.problem}`,
    });
  }
  const payloads = parsed.data.payloads.map(fromWire);
  const result = operation === 'decode' ? await handlers.decode(payloads) : await handlers.encode(payloads);
  reply(response, 200, { payloads: result.map(toWire) });
}

function fromWire(wire: WirePayload): Payload {
  const metadata = Object.fromEntries(
    Object.entries(wire.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  );
  return {
    metadata,
    data: Buffer.from(wire.data ?? '', 'base64'),
    ...(wire.externalPayloads
      ? { externalPayloads: wire.externalPayloads as Payload['externalPayloads'] }
      : {}),
  };
}

function toWire(payload: Payload): WirePayload {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value).toString('base64'),
    ]),
  );
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function reply(response: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
