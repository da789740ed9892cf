/**
 * Patch id of the change that gives every model call an activity id and a summary. Histories
 * recorded before it hold sequence-number ids: `patched()` keeps their replay on that path.
 */
export const CALL_IDS_PATCH = 'call-ids';

/** Where a call stands in its run: its activity id and its Web UI summary are built from these. */
export interface CallSite {
  round: number;
  /** What the call is for in its round, e.g. `answer`, `critique`, `evaluate`, `synthesis`. */
  phase: string;
  /** The participant as ids may name it (a session participant's name, an expert's id). */
  participant: string;
  /** The participant as people read it (an expert's name); `participant` when absent. */
  label?: string;
}

/**
 * Deterministic activity ids, unique within a run: `r3.critique.Expert-2`, with `.2`, `.3` after
 * it when one participant is called again in the same round and phase. Rounds only grow, so the
 * ids of past rounds are forgotten: the memory stays bounded however long the run.
 */
export class CallIds {
  private round = -1;
  private readonly used = new Map<string, number>();

  next(site: CallSite): string {
    if (site.round !== this.round) {
      this.round = site.round;
      this.used.clear();
    }
    const base = `r${site.round}.${site.phase}.${site.participant}`;
    const count = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, count);
    return count === 1 ? base : `${base}.${count}`;
  }
}

/** The Web UI's one line for a call: `Expert-2 · round 3 · critique`. */
export function callSummary(site: CallSite): string {
  return `${site.label ?? site.participant} · round ${site.round} · ${site.phase}`;
}
