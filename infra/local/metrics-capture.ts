import type { TwinComponent, TwinContext } from './context.js';
import { isEmfRecord, type EmfRecord } from '../../functions/shared/emf.js';

export const METRICS_CAPTURE_PATH = '/_local/metrics';
/** Records kept; older ones drop off (a day of a busy laptop is far less). */
const MAX_CAPTURED_RECORDS = 20_000;

/**
 * Captures the EMF records the functions print (Powertools writes them to stdout, where
 * CloudWatch would extract them) and serves them at /_local/metrics for the admin
 * dashboard. EMF lines leave the terminal; every other line passes through.
 */
export function createMetricsCapture(context: TwinContext): TwinComponent {
  const records: EmfRecord[] = [];
  context.lambda.onFunctionLine((_functionName, line) => {
    if (!line.includes('"_aws"')) return false;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!isEmfRecord(parsed)) return false;
      records.push(parsed);
      if (records.length > MAX_CAPTURED_RECORDS) records.splice(0, records.length - MAX_CAPTURED_RECORDS);
      return true;
    } catch {
      return false;
    }
  });

  return {
    name: 'metrics-capture',
    describe: () => [`Captured EMF metrics   ${context.url}${METRICS_CAPTURE_PATH}`],
    handleRequest(req, res) {
      const url = new URL(req.url ?? '/', context.url);
      if (url.pathname !== METRICS_CAPTURE_PATH) return false;
      // Loopback only: the gateway's Lambda reads it; nothing user-specific beyond EMF metadata.
      const windowMinutes = Math.min(Math.max(Number(url.searchParams.get('windowMinutes') ?? 60) || 60, 1), 1440);
      const since = Date.now() - windowMinutes * 60_000;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(records.filter((record) => record._aws.Timestamp >= since)));
      return true;
    },
  };
}
