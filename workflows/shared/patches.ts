/**
 * `patched()` for council's workflow code, with a baseline: a run that began on code holding every
 * patch below records one marker, the baseline's, instead of one per patch it meets.
 *
 * Each `patched()` the SDK answers true for the first time in a run records a marker and upserts the
 * `TemporalChangeVersion` search attribute: two history events and a visibility write per patch and
 * per run (four patches for a plain session or council in 2026-12; Temporal Cloud bills neither). A run
 * whose history starts with the baseline's marker took every patch of {@link BASELINE_PATCHES}; a
 * history without it (recorded before the baseline, or a run in flight when it was deployed) asks
 * the SDK for each patch as before, so both replay down the path they were recorded on.
 *
 * A patch added later is not in the set: it is asked of the SDK in every run, baseline or not (a
 * baseline run recorded before that patch existed must replay down its old path), until a later
 * baseline takes it in. A later baseline takes a new id, and the old ones keep being recognised until
 * no history holds them.
 */
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- the one place that asks the SDK
import { patched as patchedBySdk } from '@temporalio/workflow';

/** The first baseline's marker (2026-12-05): histories recorded from then until the next one hold it. */
const BASELINE_2026_12_05 = 'council-baseline-2026-12';

/** Every patch id in council's workflow code on 2026-12-05. Never add to it: see the module's doc. */
const PATCHES_2026_12_05: ReadonlySet<string> = new Set([
  'budget-ask',
  'budget-downgrade',
  'budget-downgrade-policy',
  'budget-ledger',
  'call-ids',
  'cancelled-run-ends-cancelled',
  'carried-rounds',
  'cost-search-attribute',
  'council-budget',
  'council-expert-skip',
  'council-message-routing',
  'council-message-webhook',
  'council-peer-review',
  'council-period-budget',
  'council-summary-memo',
  'custom-evaluators-by-priority',
  'debate-convergence',
  'expert-hedge',
  'hedge-closed-round',
  'history-bytes-continue-as-new',
  'last-round-wait',
  'moderator-synthesis',
  'provider-policy',
  'provider-policy-activity',
  'quorum-rounds',
  'schedule-period-budget',
  'session-cancelled-status',
  'session-cancelled-summary-memo',
  'session-close-after-first-round',
  'session-evaluator-verdicts',
  'session-failures-shown',
  'session-quorum-rounds',
  'session-summary-memo',
  'session-system-instruction',
  'supervisor-assignment',
  'thinking-after-budget',
]);

/** The second baseline's marker (2026-12-06, morning). */
const BASELINE_2026_12_06 = 'council-baseline-2026-12-06';

/** Every patch id in council's workflow code on the morning of 2026-12-06. Never add to it. */
const PATCHES_2026_12_06: ReadonlySet<string> = new Set([
  ...PATCHES_2026_12_05,
  'budget-ask-claim',
  'council-turn-shares',
  'session-status-on-change',
]);

/** The marker a new run records, at its start: it takes every patch of {@link BASELINE_PATCHES}. */
export const BASELINE_PATCH = 'council-baseline-2026-12-06-evening';

/** Every patch id in council's workflow code on the evening of 2026-12-06. Never add to it. */
export const BASELINE_PATCHES: ReadonlySet<string> = new Set([
  ...PATCHES_2026_12_06,
  'close-waits-accepted-rounds',
  'message-indentation',
]);

/** Each baseline's marker and its patches, newest first: a run takes the first its history holds. */
const BASELINES: ReadonlyArray<readonly [string, ReadonlySet<string>]> = [
  [BASELINE_PATCH, BASELINE_PATCHES],
  [BASELINE_2026_12_06, PATCHES_2026_12_06],
  [BASELINE_2026_12_05, PATCHES_2026_12_05],
];

// Module state is per run: the SDK gives every workflow run a module cache of its own.
let baseline: ReadonlySet<string> = new Set();

/**
 * Call first in a workflow's run, before any other command: a new run records the newest baseline's
 * marker; a replayed run finds out which baseline its history has, if any. Answers the same for the
 * whole run.
 */
export function adoptPatchBaseline(): void {
  baseline = BASELINES.find(([marker]) => patchedBySdk(marker))?.[1] ?? new Set();
}

/** The SDK's `patched(id)`, except that a run on a baseline has that baseline's patches unasked. */
export function patched(id: string): boolean {
  return baseline.has(id) || patchedBySdk(id);
}
