// Small display helpers shared by the pages.
import { i18n } from '@/i18n'

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString(i18n.global.locale.value === 'en' ? 'en-GB' : 'zh-CN', {
    hour12: false,
  })
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleDateString(i18n.global.locale.value === 'en' ? 'en-GB' : 'zh-CN')
}
