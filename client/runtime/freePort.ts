import net from 'node:net';

/**
 * Ports are picked below the range the OS hands out on its own (32768-60999 on Linux, 49152 and up on
 * macOS and Windows): a port picked there can be given to any process's next outgoing connection or
 * `listen(0)` between the pick and the bind. Here only another explicit pick can race us.
 */
const LOWEST_PORT = 20_000;
const PAST_HIGHEST_PORT = 32_768;
const MAX_TRIES = 200;

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago and that is not in `taken`. */
export async function freePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < MAX_TRIES; attempt += 1) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (PAST_HIGHEST_PORT - LOWEST_PORT));
    if (!taken.has(port) && (await canListen(port))) return port;
  }
  throw new Error(`no free TCP port found on 127.0.0.1 between ${LOWEST_PORT} and ${PAST_HIGHEST_PORT - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
