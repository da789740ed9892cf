import http, { type IncomingHttpHeaders } from 'node:http';
import type { WebhookBody } from '../../activities/types';
import { IDEMPOTENCY_HEADER } from '../../common/messageWebhook';
import { freePort } from '../../client/runtime/freePort';

/** A request is read up to this many bytes; a bigger one is answered 413. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** One POST the receiver got, with the status it answered. */
export interface ReceivedPost {
  key: string;
  headers: IncomingHttpHeaders;
  body: WebhookBody;
  status: number;
}

/**
 * A real HTTP server standing in for a user's webhook, as a receiver should be written: it keeps the
 * first body of each idempotency key it accepts (2xx) and drops later ones.
 */
export interface WebhookReceiver {
  url: string;
  /** Every POST, in arrival order, retries and duplicates included. */
  posts: ReceivedPost[];
  /** The body of each key it accepted, once per key. */
  accepted: Map<string, WebhookBody>;
  /** The status to answer a POST, told how many times its key came before; 200 unless set. */
  respond: (post: Omit<ReceivedPost, 'status'>, earlier: number) => number | Promise<number>;
  /** Sent as the Location header of a 3xx answer: where a redirect would lead. */
  redirectTo?: string;
  /** Forgets every POST and answers 200 again: for the next test of a file. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const port = await freePort();
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}`,
    posts: [],
    accepted: new Map(),
    respond: () => 200,
    reset() {
      receiver.posts.length = 0;
      receiver.accepted.clear();
      receiver.respond = () => 200;
      delete receiver.redirectTo;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      void (async () => {
        if (size > MAX_REQUEST_BYTES) return response.writeHead(413).end();
        const key = String(request.headers[IDEMPOTENCY_HEADER.toLowerCase()] ?? '');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody;
        const earlier = receiver.posts.filter((post) => post.key === key).length;
        const status = await receiver.respond({ key, headers: request.headers, body }, earlier);
        receiver.posts.push({ key, headers: request.headers, body, status });
        if (status >= 200 && status < 300 && !receiver.accepted.has(key)) receiver.accepted.set(key, body);
        const redirect = status >= 300 && status < 400 && receiver.redirectTo;
        response.writeHead(status, redirect ? { location: receiver.redirectTo } : {}).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return receiver;
}
