/**
 * Time zones as `util.time` accepts them: `UTC`, a fixed offset such as `+08:00`, or an IANA
 * name such as `Australia/Perth`. Offsets of named zones come from `Intl`, which the sandbox
 * has (it is part of the language, not of Node).
 */

export interface TimeZone {
  /** The id Java's `VV` pattern prints: `Z`, `+08:00` or `Australia/Perth`. */
  id: string;
  /** Offset from UTC at `epochMs`, in minutes east of Greenwich. */
  offsetMinutes(epochMs: number): number;
}

export const UTC: TimeZone = { id: 'Z', offsetMinutes: () => 0 };

const FIXED_OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/**
 * Resolves a zone argument; no argument means UTC, as in AppSync.
 * @throws RangeError for a zone Java would not know either
 * @example
 * ```ts
 * parseTimeZone('+08:00').offsetMinutes(0); // 480
 * ```
 */
export function parseTimeZone(zone: string | undefined | null): TimeZone {
  if (zone === undefined || zone === null || zone === 'Z' || zone === 'UTC' || zone === 'GMT') return UTC;
  const fixed = FIXED_OFFSET.exec(zone);
  if (fixed) {
    const minutes = (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0)) * (fixed[1] === '-' ? -1 : 1);
    return { id: formatOffset(minutes, ':', 'Z'), offsetMinutes: () => minutes };
  }
  // Throws RangeError for an unknown zone, which is the error we want.
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  return {
    id: zone,
    offsetMinutes(epochMs) {
      const name = format.formatToParts(new Date(epochMs)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
      const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
      if (!match) return 0;
      return (Number(match[2]) * 60 + Number(match[3])) * (match[1] === '-' ? -1 : 1);
    },
  };
}

/**
 * Writes an offset as `+HH<sep>MM`, or `zero` when the offset is zero and `zero` is given.
 * @example
 * ```ts
 * formatOffset(480, ':'); // '+08:00'
 * ```
 */
export function formatOffset(minutes: number, separator: string, zero?: string): string {
  if (minutes === 0 && zero !== undefined) return zero;
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${separator}${pad(abs % 60, 2)}`;
}

/**
 * Converts wall-clock fields in `zone` to epoch milliseconds. Two passes settle the offset
 * across a daylight-saving change the way `java.time` resolves an ordinary local time.
 */
export function zonedFieldsToEpochMs(localAsUtcMs: number, zone: TimeZone): number {
  let epochMs = localAsUtcMs - zone.offsetMinutes(localAsUtcMs) * 60_000;
  epochMs = localAsUtcMs - zone.offsetMinutes(epochMs) * 60_000;
  return epochMs;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
