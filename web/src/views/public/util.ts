// Plain logic of the public pages (no Vue): redirects, search highlights, notification links,
// evidence links and the client-side checks of phone numbers, resident ID numbers and unified
// social credit codes. The server checks everything again; these only give instant feedback.

// Where to go after signing in: only a path of this site, never another origin.
export function safeRedirect(r: unknown, fallback = '/'): string {
  const s = Array.isArray(r) ? r[0] : r
  if (typeof s !== 'string' || !s.startsWith('/') || s.startsWith('//') || s.startsWith('/\\')) {
    return fallback
  }
  if (s.startsWith('/login') || s.startsWith('/register')) return fallback
  return s
}

// A piece of highlighted text: the search API escapes the text as HTML and wraps matches in
// <mark></mark>. We never insert that HTML: it is split into text pieces shown by the template.
export interface Piece {
  text: string
  mark: boolean
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  '#39': "'",
  '#x27': "'",
}

export function unescapeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, name: string) => {
    if (name in ENTITIES) return ENTITIES[name]
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10))
    return m
  })
}

export function parseHighlight(html: string | null | undefined): Piece[] {
  if (!html) return []
  const pieces: Piece[] = []
  const re = /<mark>([\s\S]*?)<\/mark>/g
  let last = 0
  let m: RegExpExecArray | null
  const push = (raw: string, mark: boolean) => {
    // Any other tag is not expected; drop it rather than show markup.
    const text = unescapeHtml(raw.replace(/<[^>]*>/g, ''))
    if (!text) return
    const prev = pieces[pieces.length - 1]
    if (prev && prev.mark === mark) prev.text += text
    else pieces.push({ text, mark })
  }
  while ((m = re.exec(html)) !== null) {
    push(html.slice(last, m.index), false)
    push(m[1], true)
    last = m.index + m[0].length
  }
  push(html.slice(last), false)
  return pieces
}

// The page of this site about a notification: its `link` is an API path (/api/v1/reports/12),
// its `ref` names the record (report:12).
export function notificationRoute(
  link: string | null | undefined,
  ref?: string | null,
): string | null {
  const byKind: Record<string, string> = {
    reports: '/reports/',
    report: '/reports/',
    articles: '/articles/',
    article: '/articles/',
    accounts: '/accounts/',
    account: '/accounts/',
    rumours: '/rumours#rumour-',
    rumour: '/rumours#rumour-',
  }
  const m = /^\/api\/v1\/([a-z]+)\/(\d+)(?:[/?#]|$)/.exec(link ?? '')
  if (m && byKind[m[1]]) return byKind[m[1]] + m[2]
  const r = /^([a-z]+):(\d+)$/.exec(ref ?? '')
  if (r && byKind[r[1]]) return byKind[r[1]] + r[2]
  return null
}

// Evidence links typed one per line: http and https URLs only, at most `max`.
export function parseLinks(
  text: string,
  max = 10,
): { links: string[]; invalid: string | null; tooMany: boolean } {
  const links: string[] = []
  let invalid: string | null = null
  for (const line of text.split(/[\r\n]+/)) {
    const s = line.trim()
    if (!s) continue
    if (!/^https?:\/\/[^\s/]+\S*$/i.test(s) || s.length > 500) {
      invalid ??= s
      continue
    }
    if (!links.includes(s)) links.push(s)
  }
  return { links, invalid, tooMany: links.length > max }
}

// Mainland China mobile numbers, optionally with +86.
export function isMobile(s: string): boolean {
  return /^(\+?86)?1[3-9]\d{9}$/.test(s.replace(/[\s-]/g, ''))
}

export function isEmail(s: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim())
}

// A contact for feedback on a report: a mobile number or an e-mail address.
export function isContact(s: string): boolean {
  return isMobile(s) || isEmail(s)
}

const ID_REGIONS = [
  [11, 15],
  [21, 23],
  [31, 37],
  [41, 46],
  [50, 54],
  [61, 65],
  [81, 83],
]

// The reason a resident ID number (GB 11643-1999) is malformed, with the API's codes, or null.
export function residentIdProblem(raw: string, today = new Date()): string | null {
  const s = raw.trim().toUpperCase()
  if (s.length !== 18) return 'id_number_length'
  if (!/^\d{17}[\dX]$/.test(s)) return 'id_number_charset'
  const region = Number(s.slice(0, 2))
  if (!ID_REGIONS.some(([a, b]) => region >= a && region <= b)) return 'id_number_region'
  const y = Number(s.slice(6, 10))
  const mo = Number(s.slice(10, 12))
  const d = Number(s.slice(12, 14))
  const birth = new Date(Date.UTC(y, mo - 1, d))
  if (
    y < 1900 ||
    birth.getUTCFullYear() !== y ||
    birth.getUTCMonth() !== mo - 1 ||
    birth.getUTCDate() !== d ||
    birth.getTime() > today.getTime()
  ) {
    return 'id_number_birth_date'
  }
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * w[i]
  if ('10X98765432'[sum % 11] !== s[17]) return 'id_number_checksum'
  return null
}

const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

// The reason a unified social credit code (GB 32100-2015) is malformed, or null. Length,
// characters and the check character; the server also checks the authority and the region.
export function creditCodeProblem(raw: string): string | null {
  const s = raw.trim().toUpperCase()
  if (s.length !== 18) return 'credit_code_length'
  for (const c of s) if (!CREDIT_ALPHABET.includes(c)) return 'credit_code_charset'
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CREDIT_ALPHABET.indexOf(s[i]) * w[i]
  if (CREDIT_ALPHABET[(31 - (sum % 31)) % 31] !== s[17]) return 'credit_code_checksum'
  return null
}

// Appends a page to a list, leaving out items already there (a page may overlap the previous
// one when the list changed in between).
export function appendUnique<T extends { id: number }>(list: T[], more: T[]): T[] {
  const seen = new Set(list.map((x) => x.id))
  return [...list, ...more.filter((x) => !seen.has(x.id))]
}

// Seconds left until `iso` (0 when past).
export function secondsUntil(iso: string | null | undefined, now = Date.now()): number {
  if (!iso) return 0
  const t = new Date(iso).getTime()
  if (Number.isNaN(t)) return 0
  return Math.max(0, Math.round((t - now) / 1000))
}

// The page of a report's target, when it has one of its own.
export function targetRoute(target: { type: string; id: number } | null | undefined): string | null {
  if (!target) return null
  if (target.type === 'article') return `/articles/${target.id}`
  if (target.type === 'account') return `/accounts/${target.id}`
  return null
}
