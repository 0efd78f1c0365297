// One router for the three areas: public pages (/), operator console (/console), moderation
// console (/moderation). Routes that need a signed-in user carry meta.auth; routes for staff carry
// meta.permission (any of a list). The guard only decides what to show: the API checks again.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { routes as publicRoutes } from '@/views/public/routes'
import { routes as operatorRoutes } from '@/views/operator/routes'
import { routes as moderationRoutes } from '@/views/moderation/routes'
import { session, loadSession, canAny } from '@/stores/session'
import NotFound from '@/components/NotFound.vue'
import Forbidden from '@/components/Forbidden.vue'

declare module 'vue-router' {
  interface RouteMeta {
    auth?: boolean
    permission?: string | string[]
  }
}

const routes: RouteRecordRaw[] = [
  ...publicRoutes,
  ...operatorRoutes,
  ...moderationRoutes,
  { path: '/forbidden', name: 'forbidden', component: Forbidden },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFound },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession()
  const needsAuth = to.matched.some((r) => r.meta.auth || r.meta.permission)
  if (needsAuth && !session.user) {
    return { name: 'login', query: { redirect: to.fullPath } }
  }
  for (const r of to.matched) {
    const p = r.meta.permission
    if (!p) continue
    const list = Array.isArray(p) ? p : [p]
    if (!canAny(...list)) return { name: 'forbidden' }
  }
  return true
})
