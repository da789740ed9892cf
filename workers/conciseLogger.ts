import { ApplicationFailure } from '@temporalio/common';
import {
  DefaultLogger,
  LogTimestamp,
  type LogEntry,
  type LogLevel,
  type LogMetadata,
  type Logger,
} from '@temporalio/worker';
import { SdkComponent } from '@temporalio/common';
import { inspect } from 'node:util';
import { printable } from '../common/printable';

/** The activity of a model call (activities/llm.ts). */
const MODEL_CALL_ACTIVITY = 'callLlm';

/**
 * The logger of council's workers (`Council.local()`'s, `council worker`). The SDK logs each failed
 * activity attempt at WARN with its whole error and stack: 30 lines for one model call that a
 * provider refused, while council already returns that call's failure in its response. Such an entry,
 * for a failure council classified, becomes one line (the call, the attempt, the failure's type and
 * message); every other entry is logged as the SDK's DefaultLogger logs it, without colours. Every
 * entry is {@link printable}: an error quotes what a provider sent, escape sequences included.
 */
export class ConciseLogger implements Logger {
  private readonly inner: DefaultLogger;
  private readonly lostServers = new Set<string>();

  constructor(level: LogLevel) {
    this.inner = new DefaultLogger(level, printableEntry);
  }

  /**
   * Drops, until the returned function is called, warnings naming `address`: a server reported gone
   * (in an error entry, kept), whose worker would otherwise warn of each retry of each poll, heartbeat
   * and completion until it stops. A server started later may listen at the same address.
   */
  dropEntriesAbout(address: string): () => void {
    this.lostServers.add(address);
    return () => this.lostServers.delete(address);
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (level !== 'ERROR' && this.lostServers.size > 0 && this.namesLostServer(message, meta)) return;
    // A failure council classified (activities/classify.ts) is a provider's answer; anything else may
    // be a bug, and keeps its stack.
    if (
      message === 'Activity failed' &&
      meta?.activityType === MODEL_CALL_ACTIVITY &&
      meta.error instanceof ApplicationFailure
    ) {
      this.inner.log(level, modelCallFailure(meta), { [LogTimestamp]: meta[LogTimestamp] });
    } else if (meta?.sdkComponent === SdkComponent.core) {
      this.inner.log(level, coreEntry(message, meta), { [LogTimestamp]: meta[LogTimestamp] });
    } else {
      this.inner.log(level, message, meta);
    }
  }

  /** The core's entries carry the server's address in their fields, as text (its error's Debug form). */
  private namesLostServer(message: string, meta: LogMetadata = {}): boolean {
    const texts = [message, ...Object.values(meta).map((v) => (v instanceof Error ? v.message : String(v)))];
    return [...this.lostServers].some((address) => texts.some((text) => text.includes(address)));
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** An entry as the SDK's default log function writes it (time, level, message, fields), made printable. */
function printableEntry({ level, message, meta, timestampNanos }: LogEntry): void {
  const time = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
  const fields = meta === undefined ? '' : ` ${inspect(meta, { breakLength: Infinity })}`;
  process.stderr.write(`${time} [${level}] ${printable(`${message}${fields}`)}\n`);
}

/** What the SDK adds to each entry it forwards from its core (worker/runtime-logger). */
const FORWARDING_FIELDS = new Set(['sdkComponent', 'target', 'spanContexts']);

/**
 * An entry of the SDK's core (Rust), forwarded: one line, its message and its own fields (its error),
 * without the forwarding's bookkeeping (component, module path, span contexts) printed under it.
 */
function coreEntry(message: string, meta: LogMetadata): string {
  const said = Object.entries(meta)
    .filter(([key]) => !FORWARDING_FIELDS.has(key))
    .map(([key, value]) => ` ${key}=${String(value)}`);
  return `${message}${said.join('')}`;
}

function modelCallFailure(meta: LogMetadata): string {
  const { error, attempt, activityId, workflowId } = meta;
  const failure = error as ApplicationFailure;
  const kind = failure.type ? `${failure.type}: ` : '';
  const reason = failure.message.split('\n')[0];
  return (
    `model call ${String(activityId)} of ${String(workflowId)} failed (attempt ${String(attempt)}): ` +
    `${kind}${reason}`
  );
}
