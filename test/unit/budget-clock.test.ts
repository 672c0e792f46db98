import { describe, expect, it } from 'vitest';
import { dayKey, daysBetween, manualClock, minuteKey, monthKey, nextDayStart, nextMinuteStart, nextMonthStart, parseDayKey } from '../../functions/shared/clock.js';

describe('budget calendar', () => {
  it('keys days and months in UTC whatever the offset of the moment', () => {
    const at = new Date('2025-03-01T23:30:00-05:00');
    expect(dayKey(at)).toBe('2025-03-02');
    expect(monthKey(at)).toBe('2025-03');
    expect(minuteKey(at)).toBe('2025-03-02T04:30');
  });

  it.each([
    ['2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['2024-02-28T12:00:00Z', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2025-02-01T00:00:00Z', '2025-02-02T00:00:00.000Z', '2025-03-01T00:00:00.000Z'],
  ])('at %s the day resets at %s and the month at %s', (at, day, month) => {
    expect(nextDayStart(new Date(at)).toISOString()).toBe(day);
    expect(nextMonthStart(new Date(at)).toISOString()).toBe(month);
  });

  it('ends the rate window at the next whole minute', () => {
    expect(nextMinuteStart(new Date('2025-01-01T00:00:59.500Z')).toISOString()).toBe('2025-01-01T00:01:00.000Z');
    expect(nextMinuteStart(new Date('2025-01-01T00:01:00.000Z')).toISOString()).toBe('2025-01-01T00:02:00.000Z');
  });

  it('moves a manual clock only when told', () => {
    const clock = manualClock('2025-01-31T23:59:00Z');
    clock.advance(120_000);
    expect(dayKey(clock.now())).toBe('2025-02-01');
    clock.set('2025-03-01T00:00:00Z');
    expect(monthKey(clock.now())).toBe('2025-03');
  });

  it('lists the days of a range across a month end and rejects impossible dates', () => {
    expect(daysBetween('2025-01-30', '2025-02-01')).toEqual(['2025-01-30', '2025-01-31', '2025-02-01']);
    expect(() => parseDayKey('2025-02-30')).toThrow(RangeError);
    expect(() => parseDayKey('2025-1-5')).toThrow(RangeError);
    expect(parseDayKey('2024-02-29')).toBe('2024-02-29');
  });
});
