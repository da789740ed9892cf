import { setHandler } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import { skipExpertUpdate, type ExpertSkip } from '../../common/councilApi';
import type { InFlightCalls } from '../shared/callModel';
import { invalid } from '../shared/invalid';
import type { CouncilLedger } from './ledger';

/**
 * Patch id of a person skipping an expert's call in flight (`skipExpert`). Workers before it refuse
 * the update (no handler), so no older history holds one; the marker is recorded with each skip, so
 * a later change of what a skip does can tell the histories that hold one apart.
 */
export const EXPERT_SKIP_PATCH = 'council-expert-skip';

/**
 * One expert turn's calls in flight (its own and, once started, its hedge's backup), each in the
 * cancellable slot `callModel` fills, and whether a person skipped the turn.
 */
export class TurnCalls {
  skipped = false;
  private readonly slots = new Set<InFlightCalls>();

  /** A fresh slot for one call, cancelled with the others on a skip. */
  slot(): InFlightCalls {
    const slot: InFlightCalls = new Map();
    this.slots.add(slot);
    return slot;
  }

  /** How many of the turn's calls are running now. */
  inFlight(): number {
    return [...this.slots].reduce((sum, slot) => sum + slot.size, 0);
  }

  /** Cancels every call in flight (their activities learn it at their next heartbeat); returns how many. */
  skip(): number {
    this.skipped = true;
    const scopes = [...this.slots].flatMap((slot) => [...slot.values()]);
    for (const scope of scopes) scope.cancel();
    return scopes.length;
  }
}

/** Each expert's current turn, by expert id: what `skipExpert` finds and cancels. */
export class ExpertCalls {
  private readonly turns = new Map<string, TurnCalls>();

  /** The calls of the expert's turn that begins now (a later turn of the same expert replaces it). */
  begin(expertId: string): TurnCalls {
    const turn = new TurnCalls();
    this.turns.set(expertId, turn);
    return turn;
  }

  /** The turn has ended: a skip of the expert now finds nothing in flight. */
  end(expertId: string, turn: TurnCalls): void {
    if (this.turns.get(expertId) === turn) this.turns.delete(expertId);
  }

  /** Why the expert cannot be skipped now, or undefined: it has a call in flight. */
  problem(ledger: CouncilLedger, expertId: string): string | undefined {
    const experts = ledger.context.activeExperts;
    if (!experts.some((expert) => expert.id === expertId)) {
      const ids = experts.map((expert) => expert.id).join(', ');
      return `no expert "${expertId}" in this council: its experts are ${ids}`;
    }
    if ((this.turns.get(expertId)?.inFlight() ?? 0) === 0) {
      return `expert "${expertId}" has no call in flight (status ${ledger.status}): only a running call can be skipped`;
    }
    return undefined;
  }

  skip(expertId: string): number {
    return this.turns.get(expertId)?.skip() ?? 0;
  }
}

/** Lets a person skip an expert's call in flight: the turn is recorded as skipped and the round goes on. */
export function handleExpertSkips(ledger: CouncilLedger, calls: ExpertCalls): void {
  setHandler(
    skipExpertUpdate,
    (expertId): ExpertSkip => {
      const problem = calls.problem(ledger, expertId);
      // The validator ran when the update came; a call may have ended in the same workflow task since.
      if (problem) throw invalid(problem);
      patched(EXPERT_SKIP_PATCH);
      const cancelledCalls = calls.skip(expertId);
      return { expertId, round: ledger.round, cancelledCalls };
    },
    {
      validator: (expertId) => {
        const problem = calls.problem(ledger, expertId);
        if (problem) throw invalid(problem);
      },
    },
  );
}
