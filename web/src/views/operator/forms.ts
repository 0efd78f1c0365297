// Small pieces of logic the operator forms share (unit-tested in forms.test.ts): field-level
// errors from the API, a debounce for live checks and previews, the tag rules of the API, and the
// evidence list of an appeal.
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import { i18n, errorText } from '@/i18n'

// The text for an API error: operator.errors.<code> first, then the shared texts.
export function opErrorText(e: unknown): string {
  if (e instanceof ApiError) {
    const key = `operator.errors.${e.code}`
    const s = i18n.global.t(key)
    if (s !== key) return s
  }
  return errorText(e)
}

// Which of our fields an API error names ("tags", "attribution.source_url", "entries[0].name"),
// through `aliases` for fields the form calls differently.
export function fieldOf(
  field: string | null | undefined,
  fields: readonly string[],
  aliases: Record<string, string> = {},
): string | null {
  if (!field) return null
  for (const c of [field, field.split(/[.[]/)[0]]) {
    const f = aliases[c] ?? c
    if (fields.includes(f)) return f
  }
  return null
}

// Per-field messages (bound to el-form-item :error) plus one message for the whole form.
export function useFormErrors<F extends string>(
  fields: readonly F[],
  aliases: Record<string, F> = {},
) {
  const state = reactive({
    field: Object.fromEntries(fields.map((f) => [f, ''])),
    form: '',
  }) as { field: Record<F, string>; form: string }
  function clear() {
    for (const f of fields) state.field[f] = ''
    state.form = ''
  }
  function show(e: unknown) {
    const text = opErrorText(e)
    const f = e instanceof ApiError ? (fieldOf(e.field, fields, aliases) as F | null) : null
    if (f) state.field[f] = text
    else state.form = text
  }
  return { state, clear, show }
}

// Calls `fn` once `ms` after the last call; cancel() drops a pending call.
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | null = null
  const wrapped = (...args: A) => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      fn(...args)
    }, ms)
  }
  wrapped.cancel = () => {
    if (timer) clearTimeout(timer)
    timer = null
  }
  return wrapped
}

// The API's tag rules (docs/content.md "Covers and tags"): trimmed, a leading # dropped, ASCII
// lower-cased, 1..20 characters without spaces or , / ? # %, duplicates dropped, at most 10.
// Returns the normalised tags and the ones that cannot be tags.
export const MAX_TAGS = 10
export function normaliseTags(input: string[]): { tags: string[]; invalid: string[] } {
  const tags: string[] = []
  const invalid: string[] = []
  for (const raw of input) {
    let t = raw.trim()
    if (t.startsWith('#')) t = t.slice(1)
    t = t.replace(/[A-Z]/g, (c) => c.toLowerCase())
    if (!t) continue
    if ([...t].length > 20 || /[\s,/?#%]/.test(t)) {
      invalid.push(raw)
      continue
    }
    if (!tags.includes(t)) tags.push(t)
  }
  return { tags, invalid }
}

// Splits a comma/space/newline separated text into tag candidates ("#读书, sqlite 笔记").
export function splitTags(text: string): string[] {
  return text
    .split(/[,，\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

// An appeal's evidence: http(s) links (one per line) and uploaded media ids, at most 10, each at
// most 500 characters (the API's rule).
export function evidenceList(linksText: string, mediaIds: string[]): string[] {
  const links = linksText
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean)
  return [...links, ...mediaIds].slice(0, 10)
}

export function invalidEvidence(items: string[]): string[] {
  return items.filter(
    (s) => !(/^https?:\/\/\S+$/i.test(s) || /^[0-9a-f]{64}$/.test(s)) || s.length > 500,
  )
}
