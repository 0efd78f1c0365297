// Types of the API objects the moderation console shows, and the small pieces of logic its pages
// share (due states, the side menu by permission, parsing of pasted lists). Kept free of Vue so
// Vitest can test it.

export interface ReviewItem {
  id: number
  kind: string
  category: string
  severity: number
  account_id: number | null
  ref_id: number
  summary: string
  detail: Record<string, any>
  status: 'pending' | 'claimed' | 'escalated' | 'approved' | 'rejected'
  created_at: string
  due_at: string
  overdue: boolean
  claimed_by: string
  claimed_at: string | null
  escalated_by: string
  escalated_at: string | null
  escalation_note: string
  decision: '' | 'approve' | 'reject'
  reason_code: string
  note: string
  decided_by: string
  decided_at: string | null
}

export interface ReviewReason {
  code: string
  decision: 'approve' | 'reject'
  label_zh: string
  label_en: string
}

export interface KindSummary {
  kind: string
  open: number
  overdue: number
  escalated: number
  oldest_due_at: string | null
}

export interface ScreenMatch {
  field?: string
  term: string
  category: string
  action: string
  start: number
  end: number
}

export interface Sanction {
  id: number
  target_type: string
  target: string
  measure: string
  function: string
  reason_code: string
  note: string
  evidence: string[]
  starts_at: string
  ends_at: string | null
  permanent: boolean
  appealable: boolean
  issued_by: string
  issued_at: string
  status: 'scheduled' | 'active' | 'expired' | 'lifted'
  account_id: number | null
  subject_id: number | null
  party_user_id: number | null
  lifted_at: string | null
  lifted_by: string
  lift_reason: string
}

export interface LabelledCode {
  code: string
  label_zh: string
  label_en: string
}

export interface SanctionCatalog {
  measures: { measure: string; blocks: string[] }[]
  functions: string[]
  target_types: string[]
  reason_codes: LabelledCode[]
}

export interface Appeal {
  id: number
  target: { type: 'sanction' | 'article'; id: number }
  decision_ref: string
  appellant_user_id: number
  account_id: number | null
  text: string
  evidence: string[]
  status: 'pending' | 'upheld' | 'overturned' | 'modified'
  original_decided_at: string
  window_closes_at: string
  created_at: string
  due_at: string
  decided_at: string | null
  reason: string
  new_sanction_id: number | null
  original_decided_by?: string
  decided_by?: string
  note?: string
  review_id?: number
}

export interface Report {
  id: number
  target: { type: string; id: number }
  category: string
  description: string
  evidence: { links?: string[]; media_ids?: string[] }
  rights_holder: string | null
  contact: string | null
  stage: string
  accepted_at: string
  due_at: string
  overdue: boolean
  handled_at: string | null
  outcome: string | null
  outcome_reason: string | null
  outcome_text: string | null
  sanction_id: number | null
  reporter_user_id?: number | null
  reported_user_id?: number | null
  account_id?: number | null
  weight?: number
  campaign?: boolean
  campaign_reasons?: string | null
  campaign_group?: number | null
  review_item_id?: number | null
}

export interface AuditEntry {
  seq: number
  time: string
  actor: string
  action: string
  subject: string
  details: Record<string, unknown>
  request_id: string
  prev_hash: string
  hash: string
}

export interface VerifyReport {
  ok: boolean
  entries_checked: number
  first_bad_seq: number | null
  problem: string | null
  detail: string
  head_seq: number
  head_hash: string
}

export interface User {
  id: number
  display_name: string
  phone: string
  status: string
  roles: string[]
  created_at: string
  last_login_at: string | null
}

export interface ScreeningStatus {
  version: number
  loaded_at: string
  entries: number
  last_error: string
  dictionaries: {
    name: string
    managed: boolean
    entries: number
    bytes: number
    modified_at: string
  }[]
}

export interface Freeze {
  id: number
  scope: 'platform' | 'category'
  category: string
  reason: string
  started_by: string
  started_at: string
  ends_at: string | null
  lifted_at: string | null
  lifted_by: string
  active: boolean
}

export interface ProtectedName {
  id: number
  name: string
  kind: string
  bound_subject_id: number | null
}

export interface Rumour {
  id: number
  article_id: number
  cluster_id: number | null
  debunk: string
  source: { name: string; url: string }
  marked_at: string
  article_ids: number[]
  removed: boolean
  removed_count: number
  notified_count: number
  producer_account_id?: number
  warning_sanction_id?: number | null
  blacklist_sanction_id?: number | null
  marked_by?: string
}

export interface CreditLedgerEntry {
  id: number
  subject_id: number
  delta: number
  score_after: number
  kind: string
  reason_code: string
  cause: string
  note: string
  rules_version: number
  at: string
}

export interface SubjectCredit {
  subject_id: number
  score: number
  level: {
    level: string
    minimum: number
    label_zh: string
    label_en: string
    allows: Record<string, unknown>
  }
  history: CreditLedgerEntry[]
}

export interface PlatformDocument {
  kind: string
  version: number
  title: string
  published_at: string
  body?: string
}

// ---- Due times --------------------------------------------------------------------------------

export type DueState = 'overdue' | 'soon' | 'ok' | 'closed'

// How urgent an item is: overdue (the API says so, or its due time has passed while open), due
// within `soonHours`, fine, or closed (decided).
export function dueState(
  item: { due_at: string; overdue?: boolean; status?: string },
  now: Date = new Date(),
  soonHours = 4,
): DueState {
  const open = !item.status || ['pending', 'claimed', 'escalated'].includes(item.status)
  if (!open) return 'closed'
  if (item.overdue) return 'overdue'
  const due = new Date(item.due_at).getTime()
  if (Number.isNaN(due)) return 'ok'
  const left = due - now.getTime()
  if (left < 0) return 'overdue'
  if (left < soonHours * 3600 * 1000) return 'soon'
  return 'ok'
}

// ---- The side menu ------------------------------------------------------------------------------

export interface MenuEntry {
  key: string
  path: string
  // The user needs any of these.
  permissions: string[]
}

export const MENU: MenuEntry[] = [
  { key: 'queue', path: '/moderation', permissions: ['accounts.review'] },
  { key: 'appeals', path: '/moderation/appeals', permissions: ['accounts.review'] },
  { key: 'reports', path: '/moderation/reports', permissions: ['reports.read'] },
  { key: 'sanctions', path: '/moderation/sanctions', permissions: ['sanctions.read'] },
  { key: 'rumours', path: '/moderation/rumours', permissions: ['rumours.manage'] },
  { key: 'credit', path: '/moderation/credit', permissions: ['credit.read'] },
  {
    key: 'dictionaries',
    path: '/moderation/dictionaries',
    permissions: ['dictionaries.manage', 'accounts.review'],
  },
  {
    key: 'emergency',
    path: '/moderation/emergency',
    permissions: ['emergency.manage', 'accounts.review'],
  },
  { key: 'names', path: '/moderation/names', permissions: ['names.manage'] },
  { key: 'audit', path: '/moderation/audit', permissions: ['audit.read'] },
  { key: 'users', path: '/moderation/users', permissions: ['users.read'] },
  { key: 'documents', path: '/moderation/documents', permissions: ['agreements.publish'] },
]

// Every permission that opens some page of the console.
export const STAFF_PERMISSIONS = Array.from(new Set(MENU.flatMap((m) => m.permissions)))

export function menuFor(permissions: string[]): MenuEntry[] {
  return MENU.filter((m) => m.permissions.some((p) => permissions.includes(p)))
}

// ---- Pasted lists ---------------------------------------------------------------------------------

// Evidence references, one per line or separated by commas or spaces.
export function splitList(text: string): string[] {
  return text
    .split(/[\s,，]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

export interface TermLine {
  term: string
  category?: string
  action?: string
}

// Emergency terms: one per line, `term`, or `term<TAB>category<TAB>action` (tabs or commas).
export function parseTermLines(text: string): TermLine[] {
  const out: TermLine[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const parts = line.split(/\t|,|，/).map((s) => s.trim())
    const t: TermLine = { term: parts[0] }
    if (parts[1]) t.category = parts[1]
    if (parts[2]) t.action = parts[2]
    if (t.term) out.push(t)
  }
  return out
}

export interface NameLine {
  name: string
  kind: string
  bound_subject_id?: number | null
}

// Protected names: `name<TAB>kind[<TAB>subject id]` per line (tabs or commas).
export function parseNameLines(text: string, defaultKind: string): NameLine[] {
  const out: NameLine[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const parts = line.split(/\t|,|，/).map((s) => s.trim())
    const entry: NameLine = { name: parts[0], kind: parts[1] || defaultKind }
    const sid = Number(parts[2])
    if (parts[2] && Number.isInteger(sid) && sid > 0) entry.bound_subject_id = sid
    if (entry.name) out.push(entry)
  }
  return out
}

// A user id out of an actor string such as user:12.
export function actorUserId(actor: string): number | null {
  const m = /^user:(\d+)$/.exec(actor)
  return m ? Number(m[1]) : null
}

// The measures in ladder order, lightest first, as the sanctions page offers them.
export const MEASURE_LADDER = [
  'warning',
  'stop_advertising',
  'restrict',
  'suspend_updates',
  'close_account',
  'close_group',
  'blacklist',
  'ban_name',
]

// Which measures go with a target type (the API refuses the others).
export function measuresFor(targetType: string, measures: string[]): string[] {
  const sorted = [...measures].sort(
    (a, b) => ladderIndex(a) - ladderIndex(b) || a.localeCompare(b),
  )
  return sorted.filter((m) => {
    if (m === 'ban_name') return targetType === 'name'
    if (targetType === 'name') return false
    if (m === 'close_account') return targetType === 'account'
    if (m === 'close_group') return targetType === 'group'
    return true
  })
}

function ladderIndex(m: string): number {
  const i = MEASURE_LADDER.indexOf(m)
  return i < 0 ? MEASURE_LADDER.length : i
}

// Measures that are always permanent (no end can be given).
export const PERMANENT_MEASURES = ['close_account', 'close_group', 'ban_name']
