// The one way the pages talk to Herald's JSON API (/api/v1). Every call sends the bearer token
// of the signed-in user (if any) and turns the API's error shape
// {"error":{"code","message","field"}} into an ApiError with the stable code, so pages can show
// field-level messages.

const TOKEN_KEY = 'herald.token'

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field: string | null = null,
  ) {
    super(message)
  }
}

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY)
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token)
  else localStorage.removeItem(TOKEN_KEY)
}

export type Query = Record<string, string | number | boolean | undefined | null>

export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const s = params.toString()
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path
}

async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = getToken()
  if (token) headers.Authorization = `Bearer ${token}`
  let payload: BodyInit | undefined
  if (body instanceof Blob) {
    payload = body
    headers['Content-Type'] = body.type || 'application/octet-stream'
  } else if (body !== undefined) {
    payload = JSON.stringify(body)
    headers['Content-Type'] = 'application/json'
  }
  const url = withQuery(path.startsWith('/') ? path : `/api/v1/${path}`, query)
  let res: Response
  try {
    res = await fetch(url, { method, headers, body: payload })
  } catch (e) {
    throw new ApiError(0, 'network_error', String(e))
  }
  const text = await res.text()
  let data: unknown = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = text
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; field?: string | null } })
      ?.error
    if (res.status === 401 && token && err?.code !== 'invalid_credentials') {
      // The session ended (expired, revoked, logged out elsewhere): forget the token.
      setToken(null)
      window.dispatchEvent(new Event('herald:signed-out'))
    }
    throw new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? res.statusText,
      err?.field ?? null,
    )
  }
  return data as T
}

export const api = {
  get: <T = any>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T = any>(path: string, body?: unknown, query?: Query) =>
    request<T>('POST', path, body ?? {}, query),
  put: <T = any>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T = any>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  del: <T = any>(path: string, body?: unknown) => request<T>('DELETE', path, body),
  upload: <T = any>(path: string, file: Blob) => request<T>('POST', path, file),
}

// A page of a cursor-paginated list: {items, next_cursor}.
export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}
