import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { isEmfRecord, seriesFromEmf, type MetricSeries } from '../shared/emf.js';
import { METRICS_NAMESPACE } from '../shared/metrics.js';

/** Where the admin dashboard's live metrics come from. */
export interface MetricsSource {
  series(windowMinutes: number): Promise<MetricSeries[]>;
}

/** The twin: the EMF records it captured from the functions' output. */
export function localMetricsSource(url: string): MetricsSource {
  return {
    async series(windowMinutes) {
      const response = await fetch(`${url}?windowMinutes=${windowMinutes}`);
      if (!response.ok) throw new Error(`the twin's metrics capture answered ${response.status}`);
      const records = ((await response.json()) as unknown[]).filter(isEmfRecord);
      return seriesFromEmf(records);
    },
  };
}

/** GetMetricData takes at most 500 queries a call. */
const MAX_QUERIES_PER_CALL = 500;

/** The cloud: the same series from CloudWatch, one-minute sums over the window. */
export function cloudWatchMetricsSource(client = new CloudWatchClient({})): MetricsSource {
  return {
    async series(windowMinutes) {
      const listed = await client.send(new ListMetricsCommand({ Namespace: METRICS_NAMESPACE, RecentlyActive: 'PT3H' }));
      const metrics = (listed.Metrics ?? []).slice(0, MAX_QUERIES_PER_CALL);
      if (metrics.length === 0) return [];
      const end = new Date();
      const data = await client.send(
        new GetMetricDataCommand({
          StartTime: new Date(end.getTime() - windowMinutes * 60_000),
          EndTime: end,
          MetricDataQueries: metrics.map((metric, index) => ({
            Id: `m${index}`,
            MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' },
          })),
        }),
      );
      return (data.MetricDataResults ?? []).map((result, index) => {
        const metric = metrics[index];
        const dimensions = Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
        const points = (result.Timestamps ?? []).map((at, i) => ({ at: at.toISOString(), value: result.Values?.[i] ?? 0 }));
        return { name: metric.MetricName ?? '', unit: 'None', dimensions: JSON.stringify(dimensions), points: points.reverse() };
      });
    },
  };
}
