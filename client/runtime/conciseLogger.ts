import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, type LogLevel, type LogMetadata, type Logger } from '@temporalio/worker';

/** The activity of a model call (activities/llm.ts). */
const MODEL_CALL_ACTIVITY = 'callLlm';

/**
 * The logger of the worker `Council.local()` runs in the application's process. The SDK logs each
 * failed activity attempt at WARN with its whole error and stack: 30 lines for one model call that
 * a provider refused, while council already returns that call's failure in its response. Such an
 * entry, for a failure council classified, becomes one line (the call, the attempt, the failure's type
 * and message); every other entry is logged as the SDK's DefaultLogger logs it.
 */
export class ConciseLogger implements Logger {
  private readonly inner: DefaultLogger;

  constructor(level: LogLevel) {
    this.inner = new DefaultLogger(level);
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    // A failure council classified (activities/classify.ts) is a provider's answer; anything else may
    // be a bug, and keeps its stack.
    if (
      message === 'Activity failed' &&
      meta?.activityType === MODEL_CALL_ACTIVITY &&
      meta.error instanceof ApplicationFailure
    ) {
      this.inner.log(level, modelCallFailure(meta));
    } else {
      this.inner.log(level, message, meta);
    }
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
