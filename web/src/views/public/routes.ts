// Routes of the public pages. meta.auth: sign-in required; meta.permission: shown only to users
// holding it (the API enforces it again).
import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./HomePage.vue') },
  { path: '/login', name: 'login', component: () => import('./HomePage.vue') },
]
