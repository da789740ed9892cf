import { PARALLEL_TARGETS, type ParallelResult } from './parallel';
import { ROUND_PHASE_LABELS, type RoundPhases } from './roundPhases';
import type { Target } from './results';
import { header, row } from './markdown';

/** Measurement 2's targets, one per size, from council's defaults (the `default` variant). */
export function parallelTargets(result: ParallelResult): Target[] {
  return (result.sizes ?? []).flatMap((size) => {
    const goal = PARALLEL_TARGETS.find((t) => t.participants === size.participants);
    const measured = size.variants.find((v) => v.name === 'default');
    if (!goal || !measured) return [];
    return [
      {
        measurement: `2. parallel efficiency, ${size.participants} × 1 s`,
        target: `>= ${goal.efficiency}`,
        measured:
          `${measured.efficiency} (wall p50 ${measured.councilWallMs.p50} ms; ` +
          `the same calls made directly: ${size.directEfficiency})`,
        met: measured.efficiency >= goal.efficiency,
      },
    ];
  });
}

/** report.md's section of measurement 2: efficiency per size and variant, and where the time went. */
export function parallelSection(result: ParallelResult): string[] {
  // latest.json of runs before the sizes and phases has no `sizes`: its target line stays.
  if (!result.sizes)
    return ['', '## 2. Parallel efficiency', '', 'Recorded before the per-phase split: see Targets.'];
  const lines: string[] = [];
  for (const size of result.sizes) {
    const n = size.participants;
    lines.push(
      '',
      `## 2. Parallel efficiency (broadcast, ${n} participants, 1 s model latency, ${size.rounds} rounds)`,
      '',
      ...header('path', 'wall p50 (ms)', 'wall p99 (ms)', 'efficiency (1 s / wall)', 'vs default'),
    );
    const base = size.variants[0]?.councilWallMs.p50 ?? Number.NaN;
    for (const v of size.variants) {
      const label =
        v.name === 'default'
          ? 'council round, defaults'
          : `council round, ${v.name}: \`${JSON.stringify(v.overrides)}\``;
      lines.push(
        row([
          label,
          v.councilWallMs.p50,
          v.councilWallMs.p99,
          v.efficiency,
          ratio(v.councilWallMs.p50, base),
        ]),
      );
    }
    lines.push(
      row([
        `${n} direct calls at once`,
        size.directWallMs.p50,
        size.directWallMs.p99,
        size.directEfficiency,
        '',
      ]),
    );
    lines.push(
      '',
      `Where a round's time goes (medians over rounds, ms; history event times, LLM arrivals, client clock):`,
      '',
      ...header('phase', ...size.variants.map((v) => v.name)),
    );
    for (const key of Object.keys(ROUND_PHASE_LABELS) as Array<keyof RoundPhases>) {
      lines.push(row([ROUND_PHASE_LABELS[key], ...size.variants.map((v) => v.phases[key])]));
    }
  }
  return lines;
}

function ratio(value: number, base: number): string {
  return Number.isFinite(base) && base > 0 ? `×${(value / base).toFixed(3)}` : '';
}
