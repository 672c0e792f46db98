/**
 * Formats an instant with a `DateTimeFormatter` pattern, for `util.time.*Formatted`.
 * Letters and their widths behave as in Java for the subset in {@link SUPPORTED_LETTERS}.
 */
import { SUPPORTED_LETTERS, tokenizePattern, type PatternToken } from './java-time-pattern.js';
import { formatOffset, type TimeZone } from './time-zone.js';

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** Monday first, as `java.time.DayOfWeek`. */
export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

interface LocalFields {
  year: number;
  month: number;
  day: number;
  dayOfYear: number;
  /** 1 = Monday … 7 = Sunday. */
  dayOfWeek: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes: number;
}

/**
 * @throws RangeError for a pattern letter outside {@link SUPPORTED_LETTERS}
 * @example
 * ```ts
 * formatEpochMs(1517943695758, 'yyyy-MM-dd HH:mm:ssZ', UTC); // '2018-02-06 19:01:35+0000'
 * ```
 */
export function formatEpochMs(epochMs: number, pattern: string, zone: TimeZone): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`Not a timestamp: ${epochMs}`);
  const fields = localFields(epochMs, zone);
  return tokenizePattern(pattern)
    .map((token) => (token.kind === 'literal' ? token.text : formatField(token, fields, zone, epochMs)))
    .join('');
}

function localFields(epochMs: number, zone: TimeZone): LocalFields {
  const offsetMinutes = zone.offsetMinutes(epochMs);
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const startOfYear = Date.UTC(local.getUTCFullYear(), 0, 1);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    dayOfYear: Math.floor((local.getTime() - startOfYear) / 86_400_000) + 1,
    dayOfWeek: ((local.getUTCDay() + 6) % 7) + 1,
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: local.getUTCMilliseconds(),
    offsetMinutes,
  };
}

function formatField(token: Extract<PatternToken, { kind: 'field' }>, f: LocalFields, zone: TimeZone, epochMs: number): string {
  const { letter, width } = token;
  switch (letter) {
    case 'y':
    case 'u':
      return width === 2 ? pad(f.year % 100, 2) : pad(f.year, width);
    case 'M':
    case 'L':
      return text(MONTH_NAMES[f.month - 1] ?? '', width) ?? pad(f.month, width);
    case 'd':
      return pad(f.day, width);
    case 'D':
      return pad(f.dayOfYear, width);
    case 'E':
      return text(DAY_NAMES[f.dayOfWeek - 1] ?? '', Math.max(width, 3)) ?? '';
    case 'a':
      return f.hour < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(f.hour, width);
    case 'k':
      return pad(f.hour === 0 ? 24 : f.hour, width);
    case 'h':
      return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, width);
    case 'K':
      return pad(f.hour % 12, width);
    case 'm':
      return pad(f.minute, width);
    case 's':
      return pad(f.second, width);
    case 'S':
      return pad(f.millisecond, 3).padEnd(width, '0').slice(0, width);
    case 'Z':
      if (width === 4) return f.offsetMinutes === 0 ? 'GMT' : `GMT${formatOffset(f.offsetMinutes, ':')}`;
      return width === 5 ? formatOffset(f.offsetMinutes, ':', 'Z') : formatOffset(f.offsetMinutes, '');
    case 'X':
    case 'x':
      return isoOffset(f.offsetMinutes, width, letter === 'X' ? 'Z' : undefined);
    case 'V':
      return zone.id;
    case 'z':
      return zoneName(zone, epochMs);
    default:
      throw new RangeError(`Unsupported pattern letter '${letter}'; the twin supports ${SUPPORTED_LETTERS}`);
  }
}

/** Text styles: 3 letters short, 4 full, 5 narrow; fewer letters mean a number (undefined). */
function text(name: string, width: number): string | undefined {
  if (width < 3) return undefined;
  if (width === 3) return name.slice(0, 3);
  return width === 4 ? name : name.charAt(0);
}

/** `X`/`x`: one letter prints minutes only when there are any; three put a colon between. */
function isoOffset(minutes: number, width: number, zero: string | undefined): string {
  if (minutes === 0 && zero !== undefined) return zero;
  if (width === 1) {
    const full = formatOffset(minutes, '');
    return full.endsWith('00') ? full.slice(0, 3) : full;
  }
  return formatOffset(minutes, width % 2 === 1 ? ':' : '');
}

function zoneName(zone: TimeZone, epochMs: number): string {
  if (!/^[A-Za-z]/.test(zone.id) || zone.id === 'Z') return zone.id === 'Z' ? 'UTC' : zone.id;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone.id, timeZoneName: 'short' }).formatToParts(new Date(epochMs));
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? zone.id;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
