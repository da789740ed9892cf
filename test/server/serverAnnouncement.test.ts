import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { waitForAnnouncement, type StartingServer } from '../../client/runtime/devServerReady';

/** A starting server whose process is a stand-in: what it prints and when it exits is the test's. */
function startingServer(): { server: StartingServer; stdout: PassThrough; exit: (code: number) => void } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const child = Object.assign(new EventEmitter(), { stdout, stderr, exitCode: null, signalCode: null });
  const server: StartingServer = {
    child: child as unknown as ChildProcess,
    address: '127.0.0.1:1',
    namespaces: ['default'],
    stdout: [],
    stderr: [],
    keepsRuns: false,
    deadline: Date.now() + 60_000,
    timeoutMs: 60_000,
  };
  // As startOnce keeps what the process prints.
  stdout.on('data', (chunk: Buffer) => server.stdout.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => server.stderr.push(chunk.toString()));
  const exit = (code: number): void => {
    Object.assign(child, { exitCode: code });
    child.emit('exit', code, null);
    stdout.end();
    stderr.end();
    child.emit('close', code, null);
  };
  return { server, stdout, exit };
}

/** Whether `promise` settled once pending I/O callbacks ran, with no timer let fire. */
async function settledWithoutTimers(promise: Promise<void>): Promise<string> {
  const outcome = promise.then(
    () => 'resolved',
    (error: Error) => `rejected: ${error.message}`,
  );
  const pending = new Promise<string>((resolve) =>
    setImmediate(() => setImmediate(() => resolve('pending'))),
  );
  return Promise.race([outcome, pending]);
}

describe('waiting for the dev server to announce itself', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] }));
  afterEach(() => jest.useRealTimers());

  it('is ready as soon as the banner is printed, not at the next poll', async () => {
    const { server, stdout } = startingServer();
    const waiting = waitForAnnouncement(server);
    stdout.write('CLI 1.9.1 (Server 1.32.0)\n');
    expect(await settledWithoutTimers(waiting)).toBe('pending');
    stdout.write('Temporal Server:   localhost:7233\n');
    expect(await settledWithoutTimers(waiting)).toBe('resolved');
  });

  it('fails as soon as the process exits, with what it wrote to stderr', async () => {
    const { server, exit } = startingServer();
    const waiting = waitForAnnouncement(server);
    server.stderr.push('Error: address already in use\n');
    exit(1);
    expect(await settledWithoutTimers(waiting)).toBe(
      'rejected: The Temporal dev server exited at start: Error: address already in use',
    );
  });

  it('fails a second after the process exits when something else still holds its output open', async () => {
    const { server } = startingServer();
    const waiting = waitForAnnouncement(server);
    server.stderr.push('Error: address already in use\n');
    Object.assign(server.child, { exitCode: 1 });
    server.child.emit('exit', 1, null);
    expect(await settledWithoutTimers(waiting)).toBe('pending');
    jest.advanceTimersByTime(1_000);
    expect(await settledWithoutTimers(waiting)).toBe(
      'rejected: The Temporal dev server exited at start: Error: address already in use',
    );
  });

  it('fails when the deadline passes without a banner', async () => {
    const { server } = startingServer();
    const waiting = waitForAnnouncement(server);
    jest.advanceTimersByTime(60_000);
    expect(await settledWithoutTimers(waiting)).toBe(
      'rejected: The Temporal dev server for 127.0.0.1:1 did not report its ports bound within 60000 ms',
    );
  });
});
