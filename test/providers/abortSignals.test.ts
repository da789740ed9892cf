import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readStream, type AdapterCall } from '../../activities/providers/common';

// A full garbage collection on demand, without starting jest with --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const CALLS = 20;

function adapterCall(signal: AbortSignal): AdapterCall {
  return {
    request: { model: { provider: 'openai', model: 'gpt-4o-mini' }, messages: [] },
    messages: [],
    signal,
    onChunk: () => undefined,
  };
}

/**
 * What the openai and @google/genai clients do with the signal of a request: add an abort listener
 * and never remove it. The test keeps only a weak reference to the signal.
 */
function listenLikeAnSdk(signal: AbortSignal, given: Array<WeakRef<AbortSignal>>): void {
  signal.addEventListener('abort', () => undefined, { once: true });
  given.push(new WeakRef(signal));
}

/**
 * How many signals are still alive after full collections. A WeakRef keeps its target alive until the
 * job that made or read it ends, and Node lets go of those at the end of a callback: on a busy CI
 * machine the last call's signal was once still held one turn on (seen once in a full run, never in
 * 15 runs of this file alone). A few turns, each with a collection, let it go; a leak holds every
 * signal for good, and still fails here.
 */
async function liveAfterCollection(given: Array<WeakRef<AbortSignal>>): Promise<number> {
  let live = given.length;
  for (let turn = 0; turn < 3 && live > 0; turn += 1) {
    await nextTurn();
    collectGarbage();
    live = given.filter((ref) => ref.deref() !== undefined).length;
  }
  return live;
}

// Node 20 keeps a signal made by AbortSignal.any() alive for good once it has an abort listener, until
// one of its sources aborts; a call that ends normally aborts none. Each call then held its signal and
// the SDK's listener (with the request's own controller) for the worker's life: a worker that made a
// million calls kept a million of them.
describe('the signal an adapter hands its SDK', () => {
  // The activity's cancellation signal, which outlives every call of the test.
  const activity = new AbortController();
  const reader = { read: (chunk: string) => chunk, ended: () => true, endMarker: 'the end' };

  async function streamOnce(given: Array<WeakRef<AbortSignal>>, fails: boolean): Promise<void> {
    await readStream(
      adapterCall(activity.signal),
      async (signal) => {
        listenLikeAnSdk(signal, given);
        if (fails) throw new Error('the provider refused');
        return (async function* () {
          yield 'a chunk';
        })();
      },
      // A reader past its end marker would take the failure for a late one and return.
      { ...reader, ended: () => !fails },
    );
  }

  it('is released once its stream ends, though the SDK never removes its listener', async () => {
    const given: Array<WeakRef<AbortSignal>> = [];
    for (let call = 0; call < CALLS; call += 1) await streamOnce(given, false);
    expect(given).toHaveLength(CALLS);
    expect(await liveAfterCollection(given)).toBe(0);
  });

  it('is released once its request fails', async () => {
    const given: Array<WeakRef<AbortSignal>> = [];
    for (let call = 0; call < CALLS; call += 1) {
      await expect(streamOnce(given, true)).rejects.toThrow('the provider refused');
    }
    expect(given).toHaveLength(CALLS);
    expect(await liveAfterCollection(given)).toBe(0);
  });

  it('aborts the request when the activity is cancelled mid-stream, or was cancelled before', async () => {
    const cancelled = new AbortController();
    const reasons: unknown[] = [];
    const streaming = readStream(
      adapterCall(cancelled.signal),
      async (signal) =>
        (async function* () {
          yield 'a chunk';
          if (!signal.aborted) {
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          }
          reasons.push(signal.reason);
        })(),
      { ...reader, ended: () => false },
    );
    await nextTurn();
    cancelled.abort(new Error('activity cancelled'));
    await expect(streaming).rejects.toThrow('the stream ended before the end arrived');
    expect(reasons).toEqual([new Error('activity cancelled')]);

    let abortedAtOpen: boolean | undefined;
    await readStream(
      adapterCall(cancelled.signal),
      async (signal) => {
        abortedAtOpen = signal.aborted;
        return (async function* () {})();
      },
      reader,
    );
    expect(abortedAtOpen).toBe(true);
  });
});
