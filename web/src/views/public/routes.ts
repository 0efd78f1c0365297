// Routes of the public pages. meta.auth: sign-in required; meta.permission: shown only to users
// holding it (the API enforces it again).
import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./HomePage.vue') },
  { path: '/search', name: 'search', component: () => import('./SearchPage.vue') },
  { path: '/accounts/:id(\\d+)', name: 'account', component: () => import('./AccountPage.vue') },
  { path: '/articles/:id(\\d+)', name: 'article', component: () => import('./ArticlePage.vue') },
  { path: '/login', name: 'login', component: () => import('./LoginPage.vue') },
  { path: '/register', name: 'register', component: () => import('./RegisterPage.vue') },
  { path: '/verify', name: 'verify', component: () => import('./VerifyPage.vue'), meta: { auth: true } },
  {
    path: '/notifications',
    name: 'notifications',
    component: () => import('./NotificationsPage.vue'),
    meta: { auth: true },
  },
  { path: '/reports/:id(\\d+)', name: 'report', component: () => import('./ReportPage.vue') },
  { path: '/me/reports', name: 'my-reports', component: () => import('./MyReportsPage.vue'), meta: { auth: true } },
  { path: '/rumours', name: 'rumours', component: () => import('./RumoursPage.vue') },
  { path: '/policies', redirect: '/policies/reports' },
  { path: '/policies/:kind(reports|credit|appeals)', name: 'policies', component: () => import('./PoliciesPage.vue') },
]
