import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Line + grid + tooltip only: each further component costs 10–40 KB gzipped (docs/benchmarks.md#console-bundle).
echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** 近 30 天: issued count (stepped area) and 价税合计 (line). Totals arrive as decimal strings; the chart only plots them. */
export default function TrendChart({ points }: { points: { date: string; count: number; total: string }[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 64, top: 56, bottom: 32 },
      xAxis: { type: 'category', data: points.map((p) => p.date.slice(5)) },
      yAxis: [
        { type: 'value', name: '开具张数', minInterval: 1 },
        { type: 'value', name: '价税合计（元）' },
      ],
      series: [
        {
          name: '开具张数',
          type: 'line',
          step: 'middle',
          areaStyle: { opacity: 0.15 },
          data: points.map((p) => p.count),
          itemStyle: { color: '#f4a3a6' },
        },
        {
          name: '价税合计（元）',
          type: 'line',
          yAxisIndex: 1,
          smooth: true,
          data: points.map((p) => p.total),
          itemStyle: { color: '#c8161d' },
        },
      ],
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [points]);
  return <div ref={ref} data-testid="trend-chart" style={{ height: 280, width: '100%' }} />;
}
