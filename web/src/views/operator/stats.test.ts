import { describe, it, expect } from 'vitest'
import { dayKey, dayRange, seriesFromDays, periodTotals, type AccountDayRow } from './stats'

describe('dayKey', () => {
  it('uses China Standard Time by default', () => {
    expect(dayKey('2026-03-01T15:59:59Z')).toBe('2026-03-01')
    expect(dayKey('2026-03-01T16:00:00Z')).toBe('2026-03-02')
  })
  it('takes another offset and rejects nonsense', () => {
    expect(dayKey('2026-03-01T16:00:00Z', 0)).toBe('2026-03-01')
    expect(dayKey('not a time')).toBe('')
  })
})

describe('dayRange', () => {
  it('lists every day inclusive, across month ends', () => {
    expect(dayRange('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ])
    expect(dayRange('2026-03-02', '2026-03-01')).toEqual([])
  })
})

const row = (date: string, follows: number, unfollows: number, followers: number, reads: number): AccountDayRow => ({
  date,
  follows,
  unfollows,
  net_followers: follows - unfollows,
  followers,
  reads,
})

describe('seriesFromDays', () => {
  it('draws the API rows as they are: daily reads, follows, unfollows and the count', () => {
    const s = seriesFromDays([
      row('2026-03-01', 2, 0, 2, 7),
      row('2026-03-02', 0, 1, 1, 0),
      row('2026-03-03', 1, 0, 2, 3),
    ])
    expect(s).toEqual({
      days: ['2026-03-01', '2026-03-02', '2026-03-03'],
      followers: [2, 1, 2],
      follows: [2, 0, 1],
      unfollows: [0, 1, 0],
      net: [2, -1, 1],
      reads: [7, 0, 3],
    })
  })
  it('sorts rows and fills a missing day with zeros and the previous count', () => {
    const s = seriesFromDays([row('2026-03-03', 1, 0, 42, 5), row('2026-02-28', 0, 0, 41, 1)])
    expect(s.days).toEqual(['2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03'])
    expect(s.followers).toEqual([41, 41, 41, 42])
    expect(s.reads).toEqual([1, 0, 0, 5])
  })
  it('is empty without rows and ignores malformed dates', () => {
    expect(seriesFromDays([]).days).toEqual([])
    expect(seriesFromDays([row('yesterday', 1, 0, 1, 1)]).days).toEqual([])
  })
})

describe('periodTotals', () => {
  it('sums the period', () => {
    const s = seriesFromDays([row('2026-03-01', 2, 0, 2, 7), row('2026-03-02', 0, 1, 1, 4)])
    expect(periodTotals(s)).toEqual({ reads: 11, follows: 2, unfollows: 1, net: 1 })
  })
})
