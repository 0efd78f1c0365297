// The operator's numbers over time, as plain functions (unit-tested in stats.test.ts): follow
// events (GET /api/v1/accounts/{id}/follow-events) become a daily series of the follower count and
// of follows and unfollows per day; article stats (GET /api/v1/articles/{id}/stats, totals only)
// are summed by the day each article was published. Days are dates in China Standard Time (UTC+8,
// no daylight saving), the day the platform counts reads by (docs/social.md).

export const CST_OFFSET_MINUTES = 8 * 60
const DAY_MS = 24 * 60 * 60 * 1000

export interface FollowEventLike {
  id?: number
  kind: 'follow' | 'unfollow' | string
  followers_after: number
  time: string
}

export interface ArticleReads {
  published_at: string | null
  reads: number
  likes?: number
  forwards?: number
}

export interface DailySeries {
  days: string[]
  followers: number[]
  follows: number[]
  unfollows: number[]
  reads: number[]
}

// The day ("YYYY-MM-DD") of an instant, in a time zone `offsetMinutes` east of UTC.
export function dayKey(time: string | Date, offsetMinutes = CST_OFFSET_MINUTES): string {
  const ms = (typeof time === 'string' ? Date.parse(time) : time.getTime()) + offsetMinutes * 60_000
  if (Number.isNaN(ms)) return ''
  return new Date(ms).toISOString().slice(0, 10)
}

// Every day from `from` to `to` inclusive (both "YYYY-MM-DD"); empty when `to` is before `from`.
export function dayRange(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`)
  const end = Date.parse(`${to}T00:00:00Z`)
  if (Number.isNaN(start) || Number.isNaN(end)) return []
  const out: string[] = []
  for (let t = start; t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)
}

// The days a chart shows: from the earliest day with data (but at least `minDays` back from
// `today`, and at most `maxDays`) up to `today`.
export function chartDays(dataDays: string[], today: string, minDays = 30, maxDays = 365): string[] {
  let first = addDays(today, -(minDays - 1))
  for (const d of dataDays) if (d && d < first) first = d
  const earliest = addDays(today, -(maxDays - 1))
  if (first < earliest) first = earliest
  return dayRange(first, today)
}

function sortEvents<T extends FollowEventLike>(events: T[]): T[] {
  return [...events].sort((a, b) => {
    const d = Date.parse(a.time) - Date.parse(b.time)
    return d !== 0 ? d : (a.id ?? 0) - (b.id ?? 0)
  })
}

// Follower count at the end of each day (carried forward over days without events), follows and
// unfollows per day. The count before the first known event is derived from that event, so a
// window of the history (the API pages it) still starts at the right level.
export function followerSeries(
  events: FollowEventLike[],
  days: string[],
  offsetMinutes = CST_OFFSET_MINUTES,
): Pick<DailySeries, 'followers' | 'follows' | 'unfollows'> {
  const sorted = sortEvents(events)
  const followers: number[] = []
  const follows: number[] = []
  const unfollows: number[] = []
  let count = 0
  if (sorted.length > 0) {
    const first = sorted[0]
    count = Math.max(0, first.followers_after + (first.kind === 'follow' ? -1 : 1))
  }
  let i = 0
  for (const day of days) {
    let f = 0
    let u = 0
    while (i < sorted.length && dayKey(sorted[i].time, offsetMinutes) <= day) {
      const e = sorted[i]
      if (dayKey(e.time, offsetMinutes) === day) {
        if (e.kind === 'follow') f++
        else u++
      }
      count = e.followers_after
      i++
    }
    followers.push(count)
    follows.push(f)
    unfollows.push(u)
  }
  return { followers, follows, unfollows }
}

// Reads of the articles published on each day (the API keeps totals per article, not per day).
export function readsByPublishDay(
  articles: ArticleReads[],
  days: string[],
  offsetMinutes = CST_OFFSET_MINUTES,
): number[] {
  const byDay = new Map<string, number>()
  for (const a of articles) {
    if (!a.published_at) continue
    const d = dayKey(a.published_at, offsetMinutes)
    byDay.set(d, (byDay.get(d) ?? 0) + (a.reads || 0))
  }
  return days.map((d) => byDay.get(d) ?? 0)
}

// Everything the chart draws, for the days from the first data point (or 30 days back) to `now`.
export function buildDailySeries(
  events: FollowEventLike[],
  articles: ArticleReads[],
  now: Date = new Date(),
  offsetMinutes = CST_OFFSET_MINUTES,
): DailySeries {
  const today = dayKey(now, offsetMinutes)
  const dataDays = [
    ...events.map((e) => dayKey(e.time, offsetMinutes)),
    ...articles.filter((a) => a.published_at).map((a) => dayKey(a.published_at!, offsetMinutes)),
  ].filter((d) => d && d <= today)
  const days = chartDays(dataDays, today)
  return {
    days,
    ...followerSeries(events, days, offsetMinutes),
    reads: readsByPublishDay(articles, days, offsetMinutes),
  }
}
