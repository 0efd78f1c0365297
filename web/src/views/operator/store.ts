// State the console pages share: the caller's accounts (side menu, dashboard) and subjects, the
// categories and the labels of sanction reason codes (GET /api/v1/sanctions/catalog).
import { reactive } from 'vue'
import { api } from '@/api/client'
import { i18n } from '@/i18n'
import type { Account, Category, Membership, Subject } from './types'

export const opState = reactive({
  accounts: [] as Account[],
  accountsLoaded: false,
  // Organisation accounts the user works for as an editor or reviewer (GET /api/v1/me/memberships).
  memberships: [] as Membership[],
  subjects: [] as Subject[],
  subjectsLoaded: false,
  categories: [] as Category[],
  reasons: {} as Record<string, { label_zh: string; label_en: string }>,
})

export async function loadAccounts(): Promise<Account[]> {
  const r = await api.get<{ accounts: Account[] }>('/api/v1/me/accounts')
  opState.accounts = r.accounts
  opState.accountsLoaded = true
  return r.accounts
}

export async function loadMemberships(): Promise<Membership[]> {
  const r = await api.get<{ memberships: Membership[] }>('/api/v1/me/memberships')
  opState.memberships = r.memberships
  return r.memberships
}

export async function loadSubjects(): Promise<Subject[]> {
  const r = await api.get<{ subjects: Subject[] }>('/api/v1/subjects')
  opState.subjects = r.subjects
  opState.subjectsLoaded = true
  return r.subjects
}

export async function loadCategories(): Promise<Category[]> {
  if (opState.categories.length) return opState.categories
  const r = await api.get<{ categories: Category[] }>('/api/v1/categories')
  opState.categories = r.categories
  return r.categories
}

let catalog: Promise<void> | null = null
export function loadReasons(): Promise<void> {
  catalog ??= api
    .get<{ reason_codes: { code: string; label_zh: string; label_en: string }[] }>(
      '/api/v1/sanctions/catalog',
    )
    .then((r) => {
      for (const c of r.reason_codes) opState.reasons[c.code] = c
    })
    .catch(() => {
      catalog = null
    })
  return catalog
}

const isEn = () => i18n.global.locale.value === 'en'

// A translated label of a code in a group of operator texts, or the code itself.
export function label(group: string, code: string | null | undefined): string {
  if (!code) return ''
  const key = `operator.${group}.${code}`
  const s = i18n.global.t(key)
  return s === key ? code : s
}

export function reasonLabel(code: string): string {
  const r = opState.reasons[code]
  if (r) return isEn() ? r.label_en : r.label_zh
  return label('reason', code)
}

export function categoryName(c: Category | string | null | undefined): string {
  if (!c) return ''
  if (typeof c === 'string') {
    const found = opState.categories.find((x) => x.id === c)
    if (!found) return c
    c = found
  }
  return isEn() ? c.name_en : c.name_zh
}

export function bilingual(o: { label_zh: string; label_en: string } | null | undefined): string {
  if (!o) return ''
  return isEn() ? o.label_en : o.label_zh
}

export function subjectName(s: Subject): string {
  return s.kind === 'organisation' ? (s.org_name ?? s.real_name) : s.real_name
}

export function statusType(status: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  switch (status) {
    case 'active':
    case 'published':
    case 'visible':
    case 'approved':
    case 'verified':
    case 'overturned':
      return 'success'
    case 'pending_review':
    case 'held':
    case 'pending':
    case 'submitted':
    case 'cancelling':
    case 'scheduled':
    case 'modified':
      return 'warning'
    case 'restricted':
    case 'suspended':
    case 'closed':
    case 'rejected':
    case 'removed':
    case 'revoked':
    case 'upheld':
      return 'danger'
    default:
      return 'info'
  }
}
