import type { CouncilStatus, ProgressEvent } from '../../common/councilApi';

/** Most names one line lists; the rest are counted. */
const MAX_NAMES = 6;

function names(list: readonly string[]): string {
  return list.length <= MAX_NAMES
    ? list.join(', ')
    : `${list.slice(0, MAX_NAMES).join(', ')} and ${list.length - MAX_NAMES} more`;
}

/**
 * The Web UI's "current details" of a council, kept from its progress log: the status and round,
 * who is answering and who has answered this round, or that it waits for a person (and until
 * when). Shown by `setCurrentDetails`, which issues no command: old histories replay unchanged.
 */
export class CouncilDetails {
  private status: CouncilStatus = 'running';
  private detail = '';
  private round = 0;
  /** Experts' states in the current round, by name, in the order they began. */
  private readonly experts = new Map<string, string>();

  /** Takes one event of the log; returns the details as they now read. */
  add(event: ProgressEvent): string {
    if (event.kind === 'status') {
      this.status = event.status;
      this.detail = event.detail;
    } else if (event.kind === 'expert') {
      if (event.round !== this.round) {
        this.round = event.round;
        this.experts.clear();
      }
      this.experts.set(event.expertName, event.state);
    }
    return this.text();
  }

  private text(): string {
    const head = `${this.status}: ${this.detail}`;
    if (this.status !== 'running') return head;
    const by = (state: string) => [...this.experts].filter(([, s]) => s === state).map(([name]) => name);
    const parts = [
      ['answering', by('thinking')],
      ['done', by('done')],
      ['failed', by('failed')],
      ['skipped', by('skipped')],
    ] as const;
    const line = parts.flatMap(([label, who]) => (who.length ? [`${label}: ${names(who)}`] : []));
    return line.length ? `${head} · ${line.join(' · ')}` : head;
  }
}
