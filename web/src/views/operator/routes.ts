// Routes of the operator console (/console). Every page needs a signed-in user (meta.auth); the
// API decides what each user may see and do.
import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: '/console',
    component: () => import('./ConsoleLayout.vue'),
    meta: { auth: true },
    children: [
      { path: '', name: 'operator-dashboard', component: () => import('./DashboardPage.vue') },
      {
        path: 'accounts/new',
        name: 'operator-account-new',
        component: () => import('./AccountNewPage.vue'),
      },
      {
        path: 'accounts/:id(\\d+)',
        name: 'operator-account',
        component: () => import('./AccountPage.vue'),
      },
      {
        path: 'accounts/:id(\\d+)/articles/new',
        name: 'operator-article-new',
        component: () => import('./ArticleEditor.vue'),
      },
      {
        path: 'accounts/:id(\\d+)/articles/:articleId(\\d+)/edit',
        name: 'operator-article-edit',
        component: () => import('./ArticleEditor.vue'),
      },
      {
        path: 'accounts/:id(\\d+)/drafts/new',
        name: 'operator-draft-new',
        component: () => import('./ArticleEditor.vue'),
      },
      {
        path: 'accounts/:id(\\d+)/drafts/:draftId(\\d+)',
        name: 'operator-draft',
        component: () => import('./ArticleEditor.vue'),
      },
      {
        path: 'articles/:id(\\d+)/comments',
        name: 'operator-comments',
        component: () => import('./CommentsPage.vue'),
      },
      { path: 'transfers', name: 'operator-transfers', component: () => import('./TransfersPage.vue') },
      { path: 'sanctions', name: 'operator-sanctions', component: () => import('./SanctionsPage.vue') },
      { path: 'appeals', name: 'operator-appeals', component: () => import('./AppealsPage.vue') },
    ],
  },
]
