import { testEnvironment } from './testEnv';

const SERIES = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The server writes label values with every character outside [A-Za-z0-9_] as `_`. */
export function metricLabelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * A counter of the test server once it has reached `expected`, or as it stands after `timeoutMs`: the
 * server publishes its counters about once a second, so a single read may show an old value.
 */
export async function settledCounter(
  name: string,
  labels: Record<string, string>,
  expected: number,
  timeoutMs = 15_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await serverCounter(name, labels);
    if (value >= expected || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The sum of a counter of the test server over its series whose labels hold all of `labels`, as its
 * Prometheus endpoint shows it now.
 */
export async function serverCounter(name: string, labels: Record<string, string>): Promise<number> {
  const response = await fetch(testEnvironment().metricsUrl);
  if (!response.ok) throw new Error(`the test server's metrics answered HTTP ${response.status}`);
  let sum = 0;
  for (const line of (await response.text()).split('\n')) {
    const series = SERIES.exec(line);
    if (series?.[1] !== name) continue;
    const seriesLabels = new Map([...(series[2] ?? '').matchAll(LABEL)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => seriesLabels.get(key) === value)) {
      sum += Number(series[3]);
    }
  }
  return sum;
}
