import * as echarts from 'echarts';

/**
 * Charts as static SVG, rendered in Node by Apache ECharts' server-side renderer (no DOM, no canvas, no network):
 * the report stays one self-contained file that prints. Each chart is labelled with what it shows for screen
 * readers, and its data is also in text or a table beside it.
 */
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const INK = '#1f2933';
const MUTED = '#616e7c';
export const COLORS = { level1: '#9fb3c8', level2: '#486581', level3: '#c05621', none: '#cbd2d9', line: '#b91c1c', bar: '#334e68' };

const escapeAttribute = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Renders a chart to SVG and labels it for screen readers with what it shows (`label`). */
function render(option: echarts.EChartsCoreOption, width: number, height: number, label: string): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: FONT, color: INK }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeAttribute(label)}" `);
}

/** The 77412 share per month, bars, against the CMS 35% line. */
export function shareByMonthChart(months: readonly { month: string; share: number | null; sessions: number }[], expected: number): string {
  return render(
    {
      grid: { left: 56, right: 24, top: 36, bottom: 40 },
      xAxis: { type: 'category', data: months.map((m) => m.month), axisLabel: { color: MUTED } },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%`, color: MUTED } },
      series: [
        {
          name: '77412 share',
          type: 'bar',
          barMaxWidth: 48,
          data: months.map((m) => ({ value: m.share ?? 0, itemStyle: { color: (m.share ?? 0) > expected ? COLORS.level3 : COLORS.level2 } })),
          label: { show: true, position: 'top', formatter: (p: { value: number }) => `${Math.round(p.value * 100)}%`, color: INK },
          markLine: {
            symbol: 'none',
            silent: true,
            lineStyle: { color: COLORS.line, type: 'dashed', width: 2 },
            label: { formatter: `CMS expectation ${Math.round(expected * 100)}%`, color: COLORS.line, position: 'insideEndTop' },
            data: [{ yAxis: expected }],
          },
        },
      ],
    },
    720,
    300,
    `77412 share by month against the CMS ${Math.round(expected * 100)}% expectation: ${months.map((m) => `${m.month} ${m.share === null ? 'no sessions' : `${Math.round(m.share * 100)}%`}`).join(', ')}`,
  );
}

/** Sessions by the code to bill. */
export function sessionsByLevelChart(levels: readonly { code: string; sessions: number }[]): string {
  const color: Record<string, string> = { '77402': COLORS.level1, '77407': COLORS.level2, '77412': COLORS.level3 };
  return render(
    {
      grid: { left: 140, right: 60, top: 16, bottom: 28 },
      xAxis: { type: 'value', axisLabel: { color: MUTED } },
      yAxis: { type: 'category', inverse: true, data: levels.map((l) => l.code), axisLabel: { color: INK } },
      series: [
        {
          name: 'sessions',
          type: 'bar',
          barMaxWidth: 28,
          data: levels.map((l) => ({ value: l.sessions, itemStyle: { color: color[l.code] ?? COLORS.none } })),
          label: { show: true, position: 'right', color: INK },
        },
      ],
    },
    480,
    Math.max(140, 40 + levels.length * 38),
    `Sessions by level: ${levels.map((l) => `${l.code} ${l.sessions}`).join(', ')}`,
  );
}

/** Findings by rule: the amount at risk per rule (bars) and the count (label). */
export function findingsByRuleChart(rules: readonly { rule: string; count: number; amountAtRisk: number }[]): string {
  return render(
    {
      grid: { left: 120, right: 150, top: 16, bottom: 28 },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => `$${v.toLocaleString('en-US')}`, color: MUTED } },
      yAxis: { type: 'category', inverse: true, data: rules.map((r) => r.rule), axisLabel: { color: INK } },
      series: [
        {
          name: 'amount at risk',
          type: 'bar',
          barMaxWidth: 24,
          itemStyle: { color: COLORS.bar },
          data: rules.map((r) => ({ value: r.amountAtRisk, count: r.count })),
          label: {
            show: true,
            position: 'right',
            color: INK,
            formatter: (p: { value: number; data: { count: number } }) =>
              `$${p.value.toLocaleString('en-US', { maximumFractionDigits: 0 })} · ${p.data.count} finding${p.data.count === 1 ? '' : 's'}`,
          },
        },
      ],
    },
    720,
    Math.max(140, 40 + rules.length * 32),
    `Amount at risk by rule: ${rules.map((r) => `${r.rule} $${r.amountAtRisk.toFixed(2)} (${r.count})`).join(', ')}`,
  );
}
