import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible chat-completions server for the streaming measurement: every answer streams
 * `chunks` chunks, one every `gapMs`, each the word `t<epoch ms> ` written with the time it is sent.
 * A watcher in the same process subtracts that time from the time it is shown a word: the
 * tokens-to-screen latency, with no clock skew and no guess about when a mock sent what. aimock (the
 * tests' server) fixes an answer's text before it streams, so it cannot stamp its chunks.
 */
export interface StampServer {
  url: string;
  stop(): Promise<void>;
}

export async function startStampServer(chunks: number, gapMs: number): Promise<StampServer> {
  const server: Server = createServer((request, response) => {
    // The request body is not needed: every call gets the same kind of answer.
    request.resume();
    request.on('end', () => void stream(response, chunks, gapMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function stream(response: ServerResponse, chunks: number, gapMs: number) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (delta: object, finish: string | null, usage?: object) =>
    response.write(
      `data: ${JSON.stringify({
        id: 'stamp',
        object: 'chat.completion.chunk',
        created: Math.floor(Date.now() / 1000),
        model: 'stamp',
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...(usage && { usage }),
      })}\n\n`,
    );
  for (let i = 0; i < chunks; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    if (response.destroyed) return;
    send({ content: `t${Date.now()} ` }, null);
  }
  send({}, 'stop', { prompt_tokens: 10, completion_tokens: chunks, total_tokens: 10 + chunks });
  response.end('data: [DONE]\n\n');
}

/** Every `t<ms>` stamp in a piece of streamed text. */
export function stampsIn(text: string): number[] {
  return [...text.matchAll(/t(\d{13}) /g)].map((match) => Number(match[1]));
}
