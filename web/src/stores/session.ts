// The signed-in user: who they are and what they may do (GET /api/v1/me). Pages use can() to
// decide what to offer; the API enforces every permission itself.
import { reactive } from 'vue'
import { api, ApiError, getToken, setToken } from '@/api/client'

export interface Me {
  id: number
  display_name: string
  phone: string
  status: string
  roles: string[]
  permissions: string[]
  [key: string]: unknown
}

export const session = reactive({
  user: null as Me | null,
  loaded: false,
})

export async function loadSession(): Promise<void> {
  if (!getToken()) {
    session.user = null
    session.loaded = true
    return
  }
  try {
    session.user = await api.get<Me>('/api/v1/me')
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) setToken(null)
    session.user = null
  }
  session.loaded = true
}

export async function login(phone: string, password: string): Promise<void> {
  const res = await api.post<{ token: string }>('/api/v1/auth/login', { phone, password })
  setToken(res.token)
  await loadSession()
}

export async function logout(): Promise<void> {
  try {
    await api.post('/api/v1/auth/logout')
  } catch {
    // The session may already be gone; signing out locally is what matters.
  }
  setToken(null)
  session.user = null
}

export function can(permission: string): boolean {
  return !!session.user?.permissions?.includes(permission)
}

export function canAny(...permissions: string[]): boolean {
  return permissions.some(can)
}

window.addEventListener('herald:signed-out', () => {
  session.user = null
})
