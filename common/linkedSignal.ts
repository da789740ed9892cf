/** A signal that aborts when any of its sources does, and lets go of them once the work it guards ends. */
export interface LinkedSignal {
  signal: AbortSignal;
  /** Stops listening to the sources: call it when the request the signal guards has ended. */
  release(): void;
}

/**
 * What `AbortSignal.any(sources)` gives, without its leak: Node 20 keeps a signal made by
 * `AbortSignal.any()` alive for good once it has an abort listener, until one of its sources aborts.
 * The openai and @google/genai clients add such a listener to a request's signal and never remove it
 * (@anthropic-ai/sdk removes its own), and a call that ends normally aborts no source, so every such
 * call kept its signal, the SDK's listener and the request's controller for the worker's life. This
 * signal is a plain controller's: once released, nothing but its request holds it.
 */
export function linkedSignal(sources: readonly AbortSignal[]): LinkedSignal {
  const controller = new AbortController();
  const listening: AbortSignal[] = [];
  const release = () => {
    for (const source of listening) source.removeEventListener('abort', abortFromSource);
    listening.length = 0;
  };
  const abortFromSource = (event: Event) => {
    release();
    controller.abort((event.target as AbortSignal).reason);
  };
  for (const source of sources) {
    if (source.aborted) {
      release();
      controller.abort(source.reason);
      break;
    }
    source.addEventListener('abort', abortFromSource);
    listening.push(source);
  }
  return { signal: controller.signal, release };
}
