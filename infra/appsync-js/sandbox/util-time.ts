/**
 * `util.time`. "Now" is the host's injected clock, so tests are deterministic.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/time-helpers-in-util-time-js.html
 */
import type { HostBridge } from './bridge.js';
import { formatEpochMs } from './java-time-format.js';
import { parseToEpochMs } from './java-time-parse.js';
import { parseTimeZone } from './time-zone.js';

export interface TimeUtil {
  nowISO8601(): string;
  nowEpochSeconds(): number;
  nowEpochMilliSeconds(): number;
  nowFormatted(format: string, timezone?: string): string;
  parseFormattedToEpochMilliSeconds(timestamp: string, format: string, timezone?: string): number;
  parseISO8601ToEpochMilliSeconds(timestamp: string): number;
  epochMilliSecondsToSeconds(milliseconds: number): number;
  epochMilliSecondsToISO8601(milliseconds: number): string;
  epochMilliSecondsToFormatted(milliseconds: number, format: string, timezone?: string): string;
}

/** ISO 8601 as `java.time` reads it: a date, optionally a time, optionally an offset. */
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Builds `util.time` over the bridge's clock.
 * @example
 * ```ts
 * createTimeUtil(bridge).epochMilliSecondsToSeconds(1517943695758); // 1517943695
 * ```
 */
export function createTimeUtil(bridge: HostBridge): TimeUtil {
  return {
    nowISO8601: () => toIso(bridge.now()),
    nowEpochSeconds: () => Math.trunc(bridge.now() / 1000),
    nowEpochMilliSeconds: () => bridge.now(),
    nowFormatted: (format, timezone) => formatEpochMs(bridge.now(), format, parseTimeZone(timezone)),
    parseFormattedToEpochMilliSeconds: (timestamp, format, timezone) => parseToEpochMs(timestamp, format, parseTimeZone(timezone)),
    parseISO8601ToEpochMilliSeconds,
    // Java's long division truncates toward zero.
    epochMilliSecondsToSeconds: (milliseconds) => Math.trunc(Number(milliseconds) / 1000),
    epochMilliSecondsToISO8601: (milliseconds) => toIso(Number(milliseconds)),
    epochMilliSecondsToFormatted: (milliseconds, format, timezone) =>
      formatEpochMs(Number(milliseconds), format, parseTimeZone(timezone)),
  };
}

function toIso(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`Not a timestamp: ${epochMs}`);
  return new Date(epochMs).toISOString();
}

function parseISO8601ToEpochMilliSeconds(timestamp: string): number {
  const match = ISO_8601.exec(String(timestamp));
  if (!match) throw new RangeError(`Text '${timestamp}' is not an ISO 8601 timestamp`);
  const [, date, time = '00:00', offset = 'Z'] = match;
  // Date.parse reads an offset-less time as local time and wants a colon in the offset.
  const normalizedOffset = offset === 'Z' ? 'Z' : `${offset.slice(0, 3)}:${offset.slice(3).replace(':', '') || '00'}`;
  const epochMs = Date.parse(`${date}T${time}${normalizedOffset}`);
  if (Number.isNaN(epochMs)) throw new RangeError(`Text '${timestamp}' is not a valid date`);
  return epochMs;
}
