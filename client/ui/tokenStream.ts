import type { ServerResponse } from 'node:http';
import { findRun } from '../api/runs';
import { participantOf, watchTokens, type TokenEvent } from '../api/tokens';
import { SECURITY_HEADERS, sendJson } from './guard';
import type { UiDeps } from './send';

/** Bounds of the token streams the page follows: each one is a watcher polling the server. */
export const TOKEN_STREAM_LIMITS = {
  /** Streams open at once; past it a page is refused (503) and falls back to its polls. */
  maxStreams: 16,
  /** A stream ends after this long; the browser's EventSource opens a new one (seeing the text so far). */
  maxStreamMs: 30 * 60_000,
  /** How often the run's status and pending calls are read, to end the stream and drop finished calls. */
  statusMs: 1_000,
  /** Bytes waiting for a slow reader before its stream is ended rather than buffered further. */
  maxBufferedBytes: 1024 * 1024,
} as const;

/** What the page is told of a streaming call: a delta, or (`reset`) the whole text it knows again. */
export interface UiTokenEvent {
  participant: string;
  callId: string;
  delta: string;
  reset: boolean;
  /** The text so far (from `offset`) when `reset`: a retry started over, or this stream joined late. */
  text?: string;
  /** With `text`: characters of the answer before it (a stream that joined late gets the tail). */
  offset?: number;
}

/**
 * The page's event for a watcher's (one watcher per stream). A stream's first event of a call is a
 * reset: the page keeps its calls across the browser's reconnects, and appending a new stream's
 * text so far to it showed the answer's start twice.
 */
function pageEvent(event: TokenEvent): UiTokenEvent {
  const reset = event.first || event.restarted || event.gap;
  return {
    participant: event.participant,
    callId: event.callId,
    delta: event.delta,
    reset,
    ...(reset && { text: event.text, offset: event.offset }),
  };
}

/**
 * `GET /api/runs/ID/tokens`: server-sent events of a running run's streaming text (client/api/tokens.ts,
 * one watcher per page). `token` carries text; `pending` the calls in flight (`{ callId, participant }`: the
 * page drops the others: their answers arrive with its next poll); `end` says the run has closed.
 * The stream stops when the run closes, the page goes away, the server closes, or its time is up.
 */
export async function streamTokens(
  options: UiDeps,
  id: string,
  response: ServerResponse,
  open: Set<() => Promise<void>>,
): Promise<void> {
  if (open.size >= TOKEN_STREAM_LIMITS.maxStreams) {
    return sendJson(response, 503, { error: 'too many token streams open; the page still polls' });
  }
  // The place is taken before anything is awaited, or streams asked for together would all pass.
  const place = async () => undefined;
  open.add(place);
  let found;
  try {
    found = await findRun(options.client, id);
    await options.serve(found);
  } finally {
    open.delete(place);
  }
  if (response.destroyed) return;
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    Connection: 'keep-alive',
  });
  // `finish` (below) is defined before the first event can be sent: the watcher's first poll is awaited.
  const send = (event: string, data: unknown) => {
    if (response.writableEnded || response.destroyed) return;
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (response.writableLength > TOKEN_STREAM_LIMITS.maxBufferedBytes) void finish();
  };
  if (found.description.status.name !== 'RUNNING') {
    send('end', { status: found.description.status.name.toLowerCase() });
    response.end();
    return;
  }
  const watch = watchTokens(options.client, id, (event) => send('token', pageEvent(event)));
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let finished: Promise<void> | undefined;
  const finish = (): Promise<void> => {
    finished ??= (async () => {
      clearTimeout(timer);
      open.delete(finish);
      await watch.stop().catch(() => undefined);
      response.end();
    })();
    return finished;
  };
  open.add(finish);
  response.on('close', () => void finish());
  const check = async () => {
    const description = await found.handle.describe().catch(() => undefined);
    if (finished) return;
    if (description && description.status.name !== 'RUNNING') {
      send('end', { status: description.status.name.toLowerCase() });
      return finish();
    }
    const pending = description?.raw.pendingActivities ?? [];
    const calls = pending.map(({ activityId }) => ({
      callId: activityId ?? '',
      participant: participantOf(activityId ?? ''),
    }));
    send('pending', { calls });
    if (Date.now() - startedAt >= TOKEN_STREAM_LIMITS.maxStreamMs) return finish();
    timer = setTimeout(() => void check(), TOKEN_STREAM_LIMITS.statusMs);
  };
  await check();
}
