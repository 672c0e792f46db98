/**
 * Reading Embedded Metric Format records back into series, as the admin dashboard's
 * live metrics show them. The twin keeps the EMF lines the functions print; in the
 * cloud CloudWatch extracts the same records from the logs.
 */

/** One EMF record (a JSON log line with an `_aws` key). */
export interface EmfRecord {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[];
  };
  [key: string]: unknown;
}

export interface MetricSeries {
  name: string;
  unit: string;
  /** The dimension values, as JSON (AWSJSON). */
  dimensions: string;
  points: { at: string; value: number }[];
}

export function isEmfRecord(value: unknown): value is EmfRecord {
  const aws = (value as { _aws?: { Timestamp?: unknown; CloudWatchMetrics?: unknown } } | null)?._aws;
  return typeof aws?.Timestamp === 'number' && Array.isArray(aws.CloudWatchMetrics);
}

/** Groups records into one series per metric name and dimension values, oldest point first. */
export function seriesFromEmf(records: readonly EmfRecord[]): MetricSeries[] {
  const series = new Map<string, MetricSeries>();
  for (const record of records) {
    for (const directive of record._aws.CloudWatchMetrics) {
      const dimensionNames = [...new Set(directive.Dimensions.flat())].sort();
      const dimensions = JSON.stringify(Object.fromEntries(dimensionNames.map((name) => [name, record[name]])));
      for (const metric of directive.Metrics) {
        const values = ([] as unknown[]).concat(record[metric.Name]).filter((v): v is number => typeof v === 'number');
        if (values.length === 0) continue;
        const key = `${metric.Name}\u0000${dimensions}`;
        let entry = series.get(key);
        if (!entry) {
          entry = { name: metric.Name, unit: metric.Unit ?? 'None', dimensions, points: [] };
          series.set(key, entry);
        }
        for (const value of values) entry.points.push({ at: new Date(record._aws.Timestamp).toISOString(), value });
      }
    }
  }
  for (const entry of series.values()) entry.points.sort((a, b) => a.at.localeCompare(b.at));
  return [...series.values()].sort((a, b) => a.name.localeCompare(b.name) || a.dimensions.localeCompare(b.dimensions));
}
