import * as echarts from 'echarts';
import type { ConcurrencyLevel } from './concurrency';

/**
 * Round latency (p50/p95/p99, left axis) and throughput (bars, right axis) by number of concurrent
 * sessions, as an SVG string rendered by ECharts on the server side (no browser, no DOM).
 */
export function latencyByConcurrencySvg(levels: ConcurrencyLevel[], subtitle: string): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 860, height: 480 });
  const seconds = (ms: number) => Math.round(ms / 10) / 100;
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    title: {
      text: 'council: round latency and throughput by concurrent sessions',
      subtext: subtitle,
      left: 'center',
      textStyle: { fontSize: 15 },
      subtextStyle: { fontSize: 11 },
    },
    legend: { bottom: 0 },
    grid: { top: 90, left: 70, right: 80, bottom: 90 },
    tooltip: {},
    xAxis: {
      type: 'category',
      name: 'concurrent sessions (5 participants, 1 s model latency)',
      nameLocation: 'middle',
      nameGap: 32,
      data: levels.map((level) => String(level.sessions)),
    },
    yAxis: [
      { type: 'log', min: 1, name: 'latency (s, log)', nameGap: 18 },
      { type: 'value', name: 'turns / s', nameGap: 18, splitLine: { show: false } },
    ],
    series: [
      {
        name: 'throughput (turns/s)',
        type: 'bar',
        yAxisIndex: 1,
        barWidth: 36,
        itemStyle: { color: '#c9d7ea' },
        label: { show: true, position: 'top' },
        data: levels.map((level) => level.throughputTurnsPerSec),
      },
      ...(['p50', 'p95', 'p99'] as const).map((key) => ({
        name: `round latency ${key}`,
        type: 'line',
        symbolSize: 8,
        label: { show: key !== 'p95', position: 'right' as const },
        data: levels.map((level) => seconds(level.roundLatencyMs[key])),
      })),
      {
        name: 'model latency (1 s)',
        type: 'line',
        symbol: 'none',
        lineStyle: { type: 'dashed', color: '#888' },
        itemStyle: { color: '#888' },
        data: levels.map(() => 1),
      },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
