// Data several public pages need, loaded once per visit: the report procedure (categories and
// stages), the account categories and the articles that carry a debunk label.
import { api, ApiError } from '@/api/client'
import { i18n } from '@/i18n'

export interface ReportCategory {
  code: string
  label_zh: string
  label_en: string
  accept_within_hours: number
  handle_within_hours: number
  needs_rights_proof: boolean
}
export interface ReportStage {
  stage: string
  label_zh: string
  label_en: string
}
export interface ReportPolicy {
  entry: string
  stages: ReportStage[]
  target_types: string[]
  categories: ReportCategory[]
  daily_limit?: { signed_in?: number; anonymous?: number }
  appeals?: { path: string; [k: string]: unknown }
  [k: string]: unknown
}

export interface Category {
  id: string
  name_zh: string
  name_en: string
  requires: string | null
}

export interface FeedItem {
  id: number
  uid: string
  account_id: number
  account_name: string
  title: string
  summary: string
  category: string
  original: boolean
  advertising: boolean
  published_at: string
  cover_url?: string | null
}

export interface FeedPage {
  items: FeedItem[]
  next_cursor: string | null
}

export interface Report {
  id: number
  target: { type: string; id: number }
  category: string
  description: string
  evidence: { links?: string[]; media_ids?: string[] }
  rights_holder: string | null
  rights_proof: { links?: string[]; media_ids?: string[] }
  contact: string | null
  stage: 'accepted' | 'screened' | 'handled' | 'feedback'
  accepted_at: string
  screened_at: string | null
  due_at: string
  overdue: boolean
  handled_at: string | null
  feedback_at: string | null
  outcome: 'upheld' | 'not_upheld' | null
  outcome_reason: string | null
  outcome_text: string | null
  sanction_id: number | null
}

let policy: Promise<ReportPolicy> | null = null
export function reportPolicy(): Promise<ReportPolicy> {
  policy ??= api
    .get<{ policy: ReportPolicy }>('/api/v1/policies/reports')
    .then((r) => r.policy)
    .catch((e) => {
      policy = null
      throw e
    })
  return policy
}

let categories: Promise<Category[]> | null = null
export function accountCategories(): Promise<Category[]> {
  categories ??= api
    .get<{ categories: Category[] }>('/api/v1/categories')
    .then((r) => r.categories ?? [])
    .catch(() => {
      categories = null
      return []
    })
  return categories
}

// Ids of the articles labelled as rumours (the public debunk list), for the labels on cards.
let labelled: Promise<Set<number>> | null = null
export function rumourArticleIds(): Promise<Set<number>> {
  labelled ??= (async () => {
    const ids = new Set<number>()
    let before: number | null = null
    // A few pages at most: the list is short, and cards only need a hint (the article page
    // always shows the label itself).
    for (let i = 0; i < 5; i++) {
      const r: { rumours: { article_ids: number[] }[]; next_before: number | null } =
        await api.get('/api/v1/rumours', { limit: 100, before })
      for (const x of r.rumours) for (const id of x.article_ids ?? []) ids.add(id)
      before = r.next_before
      if (!before) break
    }
    return ids
  })().catch(() => {
    labelled = null
    return new Set<number>()
  })
  return labelled
}

// The label of a category or stage in the current language.
export function localLabel(x: { label_zh?: string; label_en?: string } | undefined | null): string {
  if (!x) return ''
  return (i18n.global.locale.value === 'en' ? x.label_en : x.label_zh) ?? x.label_zh ?? ''
}

export function categoryName(c: Category | string | undefined | null, list: Category[] = []) {
  if (!c) return ''
  const cat = typeof c === 'string' ? list.find((x) => x.id === c) : c
  if (!cat) return String(c)
  return i18n.global.locale.value === 'en' ? cat.name_en : cat.name_zh
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404
}
