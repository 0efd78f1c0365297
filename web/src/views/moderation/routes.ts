// Routes of the moderation pages. meta.auth: sign-in required; meta.permission: shown only to users
// holding it (the API enforces it again).
import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = []
