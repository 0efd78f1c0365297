import { describe, it, expect } from 'vitest'
import {
  dayKey,
  dayRange,
  chartDays,
  followerSeries,
  readsByPublishDay,
  buildDailySeries,
} from './stats'

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

describe('dayRange and chartDays', () => {
  it('lists every day inclusive, across month ends', () => {
    expect(dayRange('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ])
    expect(dayRange('2026-03-02', '2026-03-01')).toEqual([])
  })
  it('shows at least minDays, from the earliest data day, at most maxDays', () => {
    expect(chartDays([], '2026-03-10', 3)).toEqual(['2026-03-08', '2026-03-09', '2026-03-10'])
    expect(chartDays(['2026-03-01'], '2026-03-03', 2)).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
    ])
    expect(chartDays(['2025-01-01'], '2026-03-10', 3, 5)).toHaveLength(5)
  })
})

describe('followerSeries', () => {
  const days = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']
  it('counts follows and unfollows per day and carries the count forward', () => {
    const events = [
      // Out of order on purpose: the API lists newest first.
      { id: 3, kind: 'unfollow', followers_after: 1, time: '2026-03-03T02:00:00Z' },
      { id: 1, kind: 'follow', followers_after: 1, time: '2026-03-01T01:00:00Z' },
      { id: 2, kind: 'follow', followers_after: 2, time: '2026-03-01T03:00:00Z' },
    ]
    expect(followerSeries(events, days)).toEqual({
      followers: [2, 2, 1, 1],
      follows: [2, 0, 0, 0],
      unfollows: [0, 0, 1, 0],
    })
  })
  it('starts from the level before the first known event (a page of a longer history)', () => {
    const events = [{ id: 9, kind: 'follow', followers_after: 41, time: '2026-03-02T01:00:00Z' }]
    expect(followerSeries(events, days).followers).toEqual([40, 41, 41, 41])
    const un = [{ id: 9, kind: 'unfollow', followers_after: 5, time: '2026-03-02T01:00:00Z' }]
    expect(followerSeries(un, days).followers).toEqual([6, 5, 5, 5])
  })
  it('puts an event at 23:30 UTC on the next day in China', () => {
    const events = [{ id: 1, kind: 'follow', followers_after: 1, time: '2026-03-01T23:30:00Z' }]
    expect(followerSeries(events, days).follows).toEqual([0, 1, 0, 0])
  })
  it('is all zero without events', () => {
    expect(followerSeries([], days)).toEqual({
      followers: [0, 0, 0, 0],
      follows: [0, 0, 0, 0],
      unfollows: [0, 0, 0, 0],
    })
  })
})

describe('readsByPublishDay', () => {
  it('sums reads by the publication day and skips unpublished articles', () => {
    const days = ['2026-03-01', '2026-03-02']
    const articles = [
      { published_at: '2026-03-01T01:00:00Z', reads: 5 },
      { published_at: '2026-03-01T08:00:00Z', reads: 2 },
      { published_at: '2026-03-02T01:00:00Z', reads: 1 },
      { published_at: null, reads: 100 },
      { published_at: '2026-02-01T01:00:00Z', reads: 7 },
    ]
    expect(readsByPublishDay(articles, days)).toEqual([7, 1])
  })
})

describe('buildDailySeries', () => {
  it('ends today and reaches back to the first data point', () => {
    const now = new Date('2026-03-31T04:00:00Z')
    const s = buildDailySeries(
      [{ id: 1, kind: 'follow', followers_after: 1, time: '2026-01-30T04:00:00Z' }],
      [{ published_at: '2026-03-31T01:00:00Z', reads: 3 }],
      now,
    )
    expect(s.days[0]).toBe('2026-01-30')
    expect(s.days[s.days.length - 1]).toBe('2026-03-31')
    expect(s.followers[s.followers.length - 1]).toBe(1)
    expect(s.reads[s.reads.length - 1]).toBe(3)
    expect(s.follows.reduce((a, b) => a + b, 0)).toBe(1)
  })
})
