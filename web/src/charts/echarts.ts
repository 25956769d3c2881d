// Tree-shaken ECharts: only the chart types, components and renderer the dashboard uses.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';

// Accessibility: the chart containers carry role="img" and an aria-label with a text summary
// (set by the pages), so ECharts' own aria component is not needed.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

export const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif';

/** An ECharts instance bound to an element, resized with it, disposed with `dispose()`. */
export class Chart {
  private readonly instance: echarts.ECharts;
  private readonly observer: ResizeObserver;

  constructor(readonly element: HTMLElement) {
    this.instance = echarts.init(element, null, { renderer: 'canvas' });
    this.observer = new ResizeObserver(() => this.instance.resize());
    this.observer.observe(element);
  }

  /** Replaces the whole option (series from a previous load must not linger). */
  set(option: ChartOption): void {
    this.instance.setOption(
      { textStyle: { fontFamily: FONT_FAMILY }, animationDuration: 300, animationDurationUpdate: 300, ...option },
      { notMerge: true },
    );
  }

  clear(): void {
    this.instance.clear();
  }

  dispose(): void {
    this.observer.disconnect();
    this.instance.dispose();
  }
}
