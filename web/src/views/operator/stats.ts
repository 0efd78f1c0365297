// The operator's numbers over time, as plain functions (unit-tested in stats.test.ts). The API
// counts per day (GET /api/v1/accounts/{id}/stats?days=N): follows, unfollows, net followers,
// the follower count at each day's end and the reads counted that day over all the account's
// articles. Days are dates in China Standard Time (UTC+8, no daylight saving), the day the
// platform counts reads by (docs/social.md).

export const CST_OFFSET_MINUTES = 8 * 60
const DAY_MS = 24 * 60 * 60 * 1000

// One row of GET /api/v1/accounts/{id}/stats.
export interface AccountDayRow {
  date: string // "YYYY-MM-DD" in UTC+8
  follows: number
  unfollows: number
  net_followers: number
  followers: number
  reads: number
}

export interface DailySeries {
  days: string[]
  followers: number[]
  follows: number[]
  unfollows: number[]
  net: number[]
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

// The chart's series from the API's rows: sorted by date, and a day missing from the rows (the
// API sends every day, but a client must not draw a wrong line if it does not) gets zero counts
// and the follower count of the day before it.
export function seriesFromDays(rows: AccountDayRow[]): DailySeries {
  const sorted = [...rows].filter((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.date)).sort((a, b) => (a.date < b.date ? -1 : 1))
  const out: DailySeries = { days: [], followers: [], follows: [], unfollows: [], net: [], reads: [] }
  if (!sorted.length) return out
  const byDay = new Map(sorted.map((r) => [r.date, r]))
  let followers = sorted[0].followers - sorted[0].net_followers
  for (const day of dayRange(sorted[0].date, sorted[sorted.length - 1].date)) {
    const r = byDay.get(day)
    if (r) followers = r.followers
    out.days.push(day)
    out.followers.push(followers)
    out.follows.push(r?.follows ?? 0)
    out.unfollows.push(r?.unfollows ?? 0)
    out.net.push(r?.net_followers ?? 0)
    out.reads.push(r?.reads ?? 0)
  }
  return out
}

// Sums over the period the chart shows.
export function periodTotals(s: DailySeries): { reads: number; follows: number; unfollows: number; net: number } {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  return { reads: sum(s.reads), follows: sum(s.follows), unfollows: sum(s.unfollows), net: sum(s.net) }
}
