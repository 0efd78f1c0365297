// vue-i18n with Simplified Chinese first and English second. The choice is kept in localStorage.
// Each area of the site keeps its own texts (views/<area>/messages.ts) under its own key.
import { createI18n } from 'vue-i18n'
import * as common from './common'
import * as pub from '@/views/public/messages'
import * as op from '@/views/operator/messages'
import * as mod from '@/views/moderation/messages'
import { ApiError } from '@/api/client'

export type Locale = 'zh-CN' | 'en'
const LOCALE_KEY = 'herald.locale'

const messages = {
  'zh-CN': { ...common.zh, public: pub.zh, operator: op.zh, moderation: mod.zh },
  en: { ...common.en, public: pub.en, operator: op.en, moderation: mod.en },
}

export const i18n = createI18n({
  legacy: false,
  locale: (localStorage.getItem(LOCALE_KEY) as Locale) || 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages,
  missingWarn: false,
  fallbackWarn: false,
})

document.documentElement.lang = i18n.global.locale.value

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(LOCALE_KEY, locale)
  document.documentElement.lang = locale
}

// A user-facing message for an error: a translated stable code when we have one, else the API's
// own message (which names the problem in English), else the code.
export function errorText(e: unknown): string {
  const t = i18n.global.t
  if (e instanceof ApiError) {
    const key = `errors.${e.code}`
    const s = t(key)
    if (s !== key) return s
    return e.message ? `${e.message} (${e.code})` : t('errors.unknown', { code: e.code })
  }
  return String(e)
}
