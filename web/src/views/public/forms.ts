// Errors of the public forms: a message per field (shown by el-form-item :error) and a message for
// the whole form. The API names the field at fault ("id_number", "evidence.links", ...); texts
// come from public.errors.<code>, then the shared errors.<code>, then the API's own message.
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import { i18n, errorText } from '@/i18n'

export function publicErrorText(e: unknown): string {
  if (e instanceof ApiError) {
    const key = `public.errors.${e.code}`
    const s = i18n.global.t(key)
    if (s !== key) return s
  }
  return errorText(e)
}

// The text of a client-side check code (id_number_checksum, ...).
export function codeText(code: string): string {
  const key = `public.errors.${code}`
  const s = i18n.global.t(key)
  return s !== key ? s : code
}

// Which form field an API error names: the first part of a dotted path, mapped through
// `aliases` (e.g. the API's "phone" may be the form's "legal_rep_phone").
export function fieldOf(
  field: string | null | undefined,
  fields: readonly string[],
  aliases: Record<string, string> = {},
): string | null {
  if (!field) return null
  const candidates = [field, field.split(/[.[]/)[0]]
  for (const c of candidates) {
    const f = aliases[c] ?? c
    if (fields.includes(f)) return f
  }
  return null
}

export function useFormErrors<F extends string>(fields: readonly F[], aliases: Record<string, F> = {}) {
  const state = reactive({
    field: Object.fromEntries(fields.map((f) => [f, ''])) as Record<string, string>,
    form: '',
  }) as { field: Record<F, string>; form: string }
  function clear() {
    for (const f of fields) state.field[f] = ''
    state.form = ''
  }
  // Shows an error next to its field when the API names one of ours, else for the whole form.
  function show(e: unknown) {
    const text = publicErrorText(e)
    const f = e instanceof ApiError ? (fieldOf(e.field, fields, aliases) as F | null) : null
    if (f) state.field[f] = text
    else state.form = text
  }
  function set(field: F, code: string) {
    state.field[field] = codeText(code)
  }
  return { state, clear, show, set }
}
