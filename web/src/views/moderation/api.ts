// Helpers of the moderation pages around the shared API client: field-level errors for forms, a
// toast for other errors (a 403 says the user lacks the permission), and the two calls the JSON
// client does not make (a text body for dictionaries, an authenticated CSV download).
import { reactive } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError, getToken, withQuery, type Query } from '@/api/client'
import { errorText, i18n } from '@/i18n'

// The form field an API error names: `entries[3].name` -> `entries`, `modified.measure` ->
// `modified.measure` (kept whole; forms use the first part or the whole as they need).
export function baseField(field: string): string {
  return field.replace(/\[\d+\].*$/, '')
}

export function showError(e: unknown): void {
  if (e instanceof ApiError && e.status === 403 && e.code !== 'same_moderator') {
    ElMessage.error(`${i18n.global.t('moderation.common.noPermission')} (${errorText(e)})`)
    return
  }
  ElMessage.error(errorText(e))
}

// Field errors of one form: `errors[field]` is shown by the el-form-item of that field; errors
// without a field (or for a field the form does not show) become a toast.
export function useFieldErrors(fields: string[]) {
  const errors = reactive<Record<string, string>>({})
  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }
  function fail(e: unknown) {
    clear()
    if (e instanceof ApiError && e.field) {
      const whole = e.field
      const base = baseField(whole)
      const key = fields.includes(whole) ? whole : fields.includes(base) ? base : null
      if (key) {
        errors[key] = errorText(e)
        return
      }
    }
    showError(e)
  }
  return { errors, clear, fail }
}

async function readError(res: Response): Promise<ApiError> {
  let err: { code?: string; message?: string; field?: string | null } | undefined
  try {
    err = (await res.json())?.error
  } catch {
    err = undefined
  }
  return new ApiError(
    res.status,
    err?.code ?? `http_${res.status}`,
    err?.message ?? res.statusText,
    err?.field ?? null,
  )
}

function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { ...extra }
  const token = getToken()
  if (token) h.Authorization = `Bearer ${token}`
  return h
}

// PUT with a text body (a screening dictionary is a TSV file); answers the JSON response.
export async function putText<T = any>(path: string, text: string): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method: 'PUT',
      headers: authHeaders({
        'Content-Type': 'text/tab-separated-values; charset=utf-8',
        Accept: 'application/json',
      }),
      body: text,
    })
  } catch (e) {
    throw new ApiError(0, 'network_error', String(e))
  }
  if (!res.ok) throw await readError(res)
  return (await res.json()) as T
}

// GET a text resource (a dictionary file) as text.
export async function getText(path: string): Promise<string> {
  let res: Response
  try {
    res = await fetch(path, { headers: authHeaders() })
  } catch (e) {
    throw new ApiError(0, 'network_error', String(e))
  }
  if (!res.ok) throw await readError(res)
  return res.text()
}

// Downloads a file the API serves to signed-in staff (e.g. the sanctions report as CSV).
export async function download(path: string, query: Query, filename: string): Promise<void> {
  let res: Response
  try {
    res = await fetch(withQuery(path, query), { headers: authHeaders() })
  } catch (e) {
    throw new ApiError(0, 'network_error', String(e))
  }
  if (!res.ok) throw await readError(res)
  const blob = await res.blob()
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

// The label of a code in the current language ({code, label_zh, label_en} lists of the API).
export function labelOf(
  list: { code: string; label_zh: string; label_en: string }[],
  code: string,
): string {
  const item = list.find((x) => x.code === code)
  if (!item) return code
  return i18n.global.locale.value === 'en' ? item.label_en : item.label_zh
}

// A translation under moderation.<group>.<code>, or the code itself when there is none.
export function codeText(group: string, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—'
  const key = `moderation.${group}.${code}`
  const s = i18n.global.t(key)
  return s === key ? code : s
}
