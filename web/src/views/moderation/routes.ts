// Routes of the moderation pages. meta.auth: sign-in required; meta.permission: shown only to users
// holding it (the API enforces it again). The console's shell (side menu) holds every page; its
// first page, the review queue, sends staff without the review permission to the first page they
// may open (an auditor lands on the reports, sanctions or audit log).
import type { RouteRecordRaw } from 'vue-router'
import { can, session } from '@/stores/session'
import { STAFF_PERMISSIONS, menuFor } from './model'

export const routes: RouteRecordRaw[] = [
  {
    path: '/moderation',
    component: () => import('./ModerationLayout.vue'),
    meta: { auth: true, permission: STAFF_PERMISSIONS },
    children: [
      {
        path: '',
        name: 'moderation-queue',
        component: () => import('./ReviewQueue.vue'),
        beforeEnter: () => {
          if (can('accounts.review')) return true
          const first = menuFor(session.user?.permissions ?? [])[0]
          return first ? { path: first.path } : { name: 'forbidden' }
        },
      },
      {
        path: 'reviews/:id(\\d+)',
        name: 'moderation-review',
        component: () => import('./ReviewDetail.vue'),
        meta: { permission: 'accounts.review' },
      },
      {
        path: 'appeals',
        name: 'moderation-appeals',
        component: () => import('./AppealsPage.vue'),
        meta: { permission: 'accounts.review' },
      },
      {
        path: 'reports',
        name: 'moderation-reports',
        component: () => import('./ReportsPage.vue'),
        meta: { permission: 'reports.read' },
      },
      {
        path: 'sanctions',
        name: 'moderation-sanctions',
        component: () => import('./SanctionsPage.vue'),
        meta: { permission: 'sanctions.read' },
      },
      {
        path: 'rumours',
        name: 'moderation-rumours',
        component: () => import('./RumoursPage.vue'),
        meta: { permission: 'rumours.manage' },
      },
      {
        path: 'credit',
        name: 'moderation-credit',
        component: () => import('./CreditPage.vue'),
        meta: { permission: 'credit.read' },
      },
      {
        path: 'dictionaries',
        name: 'moderation-dictionaries',
        component: () => import('./DictionariesPage.vue'),
        meta: { permission: ['dictionaries.manage', 'accounts.review'] },
      },
      {
        path: 'emergency',
        name: 'moderation-emergency',
        component: () => import('./EmergencyPage.vue'),
        meta: { permission: ['emergency.manage', 'accounts.review'] },
      },
      {
        path: 'names',
        name: 'moderation-names',
        component: () => import('./ProtectedNamesPage.vue'),
        meta: { permission: 'names.manage' },
      },
      {
        path: 'audit',
        name: 'moderation-audit',
        component: () => import('./AuditPage.vue'),
        meta: { permission: 'audit.read' },
      },
      {
        path: 'users',
        name: 'moderation-users',
        component: () => import('./UsersPage.vue'),
        meta: { permission: 'users.read' },
      },
      {
        path: 'documents',
        name: 'moderation-documents',
        component: () => import('./DocumentsPage.vue'),
        meta: { permission: 'agreements.publish' },
      },
    ],
  },
]
