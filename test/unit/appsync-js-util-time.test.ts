// util.time, checked against the examples of the AppSync documentation ("Time helpers in
// $util.time", whose JS twin documents the same functions). The clock is injected, so "now" is
// the documented instant.
import { beforeAll, describe, expect, it } from 'vitest';
import { sandboxUtil } from '../helpers/evaluate-resolver.js';

/** The instant of the documentation's examples: 2018-02-06T19:01:35.758Z. */
const DOC_NOW_MS = 1517943695758;

let callUtil: Awaited<ReturnType<typeof sandboxUtil>>;

beforeAll(async () => {
  callUtil = await sandboxUtil({ clock: () => DOC_NOW_MS });
});

describe('util.time', () => {
  it.each([
    // Doc: nowISO8601() : 2018-02-06T19:01:35.749Z (their clock; ours is .758)
    ['nowISO8601', [], '2018-02-06T19:01:35.758Z'],
    // Doc: nowEpochSeconds() : 1517943695
    ['nowEpochSeconds', [], 1517943695],
    // Doc: nowEpochMilliSeconds() : 1517943695750 (their clock)
    ['nowEpochMilliSeconds', [], DOC_NOW_MS],
    // Doc: nowFormatted("yyyy-MM-dd HH:mm:ssZ") : 2018-02-06 19:01:35+0000
    ['nowFormatted', ['yyyy-MM-dd HH:mm:ssZ'], '2018-02-06 19:01:35+0000'],
    // Doc: nowFormatted("yyyy-MM-dd HH:mm:ssZ", "+08:00") : 2018-02-07 03:01:35+0800
    ['nowFormatted', ['yyyy-MM-dd HH:mm:ssZ', '+08:00'], '2018-02-07 03:01:35+0800'],
    // Doc: nowFormatted("yyyy-MM-dd HH:mm:ssZ", "Australia/Perth") : 2018-02-07 03:01:35+0800
    ['nowFormatted', ['yyyy-MM-dd HH:mm:ssZ', 'Australia/Perth'], '2018-02-07 03:01:35+0800'],
    // Doc: epochMilliSecondsToSeconds(1517943695758) : 1517943695
    ['epochMilliSecondsToSeconds', [DOC_NOW_MS], 1517943695],
    // Doc: epochMilliSecondsToISO8601(1517943695758) : 2018-02-06T19:01:35.758Z
    ['epochMilliSecondsToISO8601', [DOC_NOW_MS], '2018-02-06T19:01:35.758Z'],
    // Doc: epochMilliSecondsToFormatted(1517943695758, "yyyy-MM-dd HH:mm:ssZ") : 2018-02-06 19:01:35+0000
    ['epochMilliSecondsToFormatted', [DOC_NOW_MS, 'yyyy-MM-dd HH:mm:ssZ'], '2018-02-06 19:01:35+0000'],
    // Doc: epochMilliSecondsToFormatted(1517943695758, "yyyy-MM-dd HH:mm:ssZ", "+08:00") : 2018-02-07 03:01:35+0800
    ['epochMilliSecondsToFormatted', [DOC_NOW_MS, 'yyyy-MM-dd HH:mm:ssZ', '+08:00'], '2018-02-07 03:01:35+0800'],
    // Doc: parseISO8601ToEpochMilliSeconds("2018-02-01T17:21:05.180+08:00") : 1517476865180
    ['parseISO8601ToEpochMilliSeconds', ['2018-02-01T17:21:05.180+08:00'], 1517476865180],
    // Doc: parseFormattedToEpochMilliSeconds("2018-02-02 01:19:22+0800", "yyyy-MM-dd HH:mm:ssZ") : 1517505562000
    ['parseFormattedToEpochMilliSeconds', ['2018-02-02 01:19:22+0800', 'yyyy-MM-dd HH:mm:ssZ'], 1517505562000],
    // Doc: parseFormattedToEpochMilliSeconds("2018-02-02 01:19:22", "yyyy-MM-dd HH:mm:ss", "+08:00") : 1517505562000
    ['parseFormattedToEpochMilliSeconds', ['2018-02-02 01:19:22', 'yyyy-MM-dd HH:mm:ss', '+08:00'], 1517505562000],
  ])('%s(%j) gives the documented value', (name, args, expected) => {
    // Act
    const result = callUtil(`time.${name}`, ...args);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ['names and 12-hour clock', "EEE, d MMM yyyy h:mm a", 'Tue, 6 Feb 2018 7:01 PM'],
    ['full names', 'EEEE MMMM dd', 'Tuesday February 06'],
    ['fractions of a second', 'HH:mm:ss.SSS', '19:01:35.758'],
    ['a quoted literal and an escaped quote', "yyyy'T'HH 'o''clock'", "2018T19 o'clock"],
    ['ISO offset letters at UTC', 'X|XX|XXX|x|xxx|ZZZZZ', 'Z|Z|Z|+00|+00:00|Z'],
    ['day of year and two-digit year', 'yy-DDD', '18-037'],
    ['the zone id', 'VV', 'Z'],
  ])('formats %s', (_name, pattern, expected) => {
    // Act
    const result = callUtil('time.nowFormatted', pattern);

    // Assess
    expect(result).toBe(expected);
  });

  it('formats offsets of a named zone across daylight saving', () => {
    // Prepare: 2018-07-01T12:00:00Z is summer time in New York (-04:00).
    const summer = Date.UTC(2018, 6, 1, 12);

    // Act
    const result = callUtil('time.epochMilliSecondsToFormatted', summer, 'yyyy-MM-dd HH:mm XXX VV', 'America/New_York');

    // Assess
    expect(result).toBe('2018-07-01 08:00 -04:00 America/New_York');
  });

  it.each([
    ['compact digits', '20180206190135', 'yyyyMMddHHmmss', Date.UTC(2018, 1, 6, 19, 1, 35)],
    ['names and AM/PM', 'Tue, 6 Feb 2018 7:01 PM', 'EEE, d MMM yyyy h:mm a', Date.UTC(2018, 1, 6, 19, 1)],
    ['an ISO offset with a colon', '2018-02-07T03:01:35.758+08:00', "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", DOC_NOW_MS],
    ['Z as UTC', '2018-02-06T19:01:35Z', "yyyy-MM-dd'T'HH:mm:ssX", Date.UTC(2018, 1, 6, 19, 1, 35)],
  ])('parses %s', (_name, text, pattern, expected) => {
    // Act
    const result = callUtil('time.parseFormattedToEpochMilliSeconds', text, pattern);

    // Assess
    expect(result).toBe(expected);
  });

  it('parses local time in a named zone', () => {
    // Act
    const result = callUtil('time.parseFormattedToEpochMilliSeconds', '2018-02-07 03:01:35', 'yyyy-MM-dd HH:mm:ss', 'Australia/Perth');

    // Assess
    expect(result).toBe(Date.UTC(2018, 1, 6, 19, 1, 35));
  });

  it.each([
    ['a date only', '2018-02-06', Date.UTC(2018, 1, 6)],
    ['no offset, read as UTC', '2018-02-06T19:01:35', Date.UTC(2018, 1, 6, 19, 1, 35)],
    ['an offset without a colon', '2018-02-07T03:01:35.758+0800', DOC_NOW_MS],
  ])('parseISO8601ToEpochMilliSeconds reads %s', (_name, text, expected) => {
    // Act
    const result = callUtil('time.parseISO8601ToEpochMilliSeconds', text);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ['text that does not match the pattern', ['time.parseFormattedToEpochMilliSeconds', '2018/02/06', 'yyyy-MM-dd'], /could not be parsed/],
    ['a pattern letter the twin does not support', ['time.nowFormatted', 'yyyy G'], /Unsupported pattern letter 'G'/],
    ['an unknown time zone', ['time.nowFormatted', 'yyyy', 'Mars/Olympus_Mons'], /time zone/i],
    ['text that is not ISO 8601', ['time.parseISO8601ToEpochMilliSeconds', 'Feb 6 2018'], /not an ISO 8601 timestamp/],
  ])('fails the handler on %s', (_name, [path, ...args], message) => {
    // Act
    const act = () => callUtil(path as string, ...args);

    // Assess
    expect(act).toThrow(message);
  });
});
