/**
 * Parses a timestamp with a `DateTimeFormatter` pattern, for
 * `util.time.parseFormattedToEpochMilliSeconds`. An offset in the text wins; otherwise the zone
 * argument applies (UTC when there is none).
 */
import { DAY_NAMES, MONTH_NAMES } from './java-time-format.js';
import { tokenizePattern, type PatternToken } from './java-time-pattern.js';
import { zonedFieldsToEpochMs, type TimeZone } from './time-zone.js';

interface ParsedFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  pm?: boolean;
  twelveHour: boolean;
  offsetMinutes?: number;
}

const NUMERIC_LETTERS = 'yuMLdDHkhKmsS';

/**
 * @throws RangeError when the text does not match the pattern
 * @example
 * ```ts
 * parseToEpochMs('2018-02-02 01:19:22+0800', 'yyyy-MM-dd HH:mm:ssZ', UTC); // 1517505562000
 * ```
 */
export function parseToEpochMs(text: string, pattern: string, zone: TimeZone): number {
  const input = String(text);
  const tokens = tokenizePattern(pattern);
  const fields: ParsedFields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, twelveHour: false };
  let position = 0;
  const fail = (why: string): never => {
    throw new RangeError(`Text '${input}' could not be parsed at index ${position} with pattern '${pattern}': ${why}`);
  };
  tokens.forEach((token, index) => {
    if (token.kind === 'literal') {
      if (!input.startsWith(token.text, position)) fail(`expected '${token.text}'`);
      position += token.text.length;
      return;
    }
    // Adjacent numeric fields (yyyyMMdd) have no separator, so each takes exactly its width.
    const next = tokens[index + 1];
    const fixedWidth = next?.kind === 'field' && NUMERIC_LETTERS.includes(next.letter);
    const consumed = readField(token, input.slice(position), fixedWidth, fields);
    if (consumed === undefined) fail(`cannot read '${token.letter.repeat(token.width)}'`);
    position += consumed ?? 0;
  });
  if (position !== input.length) fail('unparsed text found');
  const hour = fields.twelveHour ? (fields.hour % 12) + (fields.pm ? 12 : 0) : fields.hour;
  const localAsUtc = Date.UTC(fields.year, fields.month - 1, fields.day, hour, fields.minute, fields.second, fields.millisecond);
  if (fields.offsetMinutes !== undefined) return localAsUtc - fields.offsetMinutes * 60_000;
  return zonedFieldsToEpochMs(localAsUtc, zone);
}

/** Reads one field at the start of `rest`; returns how many characters it used. */
function readField(token: Extract<PatternToken, { kind: 'field' }>, rest: string, fixedWidth: boolean, fields: ParsedFields): number | undefined {
  const { letter, width } = token;
  if ((letter === 'M' || letter === 'L') && width >= 3) return readName(rest, MONTH_NAMES, width, (i) => (fields.month = i + 1));
  if (letter === 'E') return readName(rest, DAY_NAMES, Math.max(width, 3), () => undefined);
  if (letter === 'a') {
    const marker = rest.slice(0, 2).toUpperCase();
    if (marker !== 'AM' && marker !== 'PM') return undefined;
    fields.pm = marker === 'PM';
    return 2;
  }
  if (letter === 'Z' || letter === 'X' || letter === 'x') return readOffset(rest, fields);
  if (letter === 'V' || letter === 'z') {
    // A zone id in the text: only offsets and UTC are understood; named zones need the argument.
    const id = /^[^\s]+/.exec(rest)?.[0];
    if (id === undefined) return undefined;
    const used = readOffset(id, fields);
    if (used === undefined && !['UTC', 'GMT', 'Z'].includes(id)) return undefined;
    if (used === undefined) fields.offsetMinutes = 0;
    return id.length;
  }
  const digits = fixedWidth || letter === 'S' ? new RegExp(`^\\d{${width}}`).exec(rest)?.[0] : /^\d+/.exec(rest)?.[0];
  if (digits === undefined) return undefined;
  const value = Number(digits);
  switch (letter) {
    case 'y':
    case 'u':
      // Two-digit years are 2000-2099, Java's base for `yy`.
      fields.year = width === 2 ? 2000 + value : value;
      break;
    case 'M':
    case 'L':
      fields.month = value;
      break;
    case 'd':
      fields.day = value;
      break;
    case 'D':
      fields.month = 1;
      fields.day = value;
      break;
    case 'H':
    case 'k':
      fields.hour = value % 24;
      break;
    case 'h':
    case 'K':
      fields.hour = value;
      fields.twelveHour = true;
      break;
    case 'm':
      fields.minute = value;
      break;
    case 's':
      fields.second = value;
      break;
    case 'S':
      fields.millisecond = Math.floor(Number(`0.${digits}`) * 1000);
      break;
    default:
      return undefined;
  }
  return digits.length;
}

function readName(rest: string, names: string[], width: number, set: (index: number) => void): number | undefined {
  const lower = rest.toLowerCase();
  for (const [index, name] of names.entries()) {
    const candidate = width === 4 ? name : name.slice(0, 3);
    if (lower.startsWith(candidate.toLowerCase())) {
      set(index);
      return candidate.length;
    }
  }
  return undefined;
}

function readOffset(rest: string, fields: ParsedFields): number | undefined {
  if (rest.startsWith('Z')) {
    fields.offsetMinutes = 0;
    return 1;
  }
  const match = /^(?:GMT)?([+-])(\d{2})(?::?(\d{2}))?/.exec(rest);
  if (!match) return undefined;
  fields.offsetMinutes = (Number(match[2]) * 60 + Number(match[3] ?? 0)) * (match[1] === '-' ? -1 : 1);
  return match[0].length;
}
