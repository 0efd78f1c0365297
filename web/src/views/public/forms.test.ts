import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { fieldOf, publicErrorText, useFormErrors } from './forms'
import { useFeed } from './feed'
import * as messages from './messages'

describe('field errors', () => {
  it('finds the form field an API error names', () => {
    const fields = ['phone', 'evidence', 'otp_code'] as const
    expect(fieldOf('phone', fields)).toBe('phone')
    expect(fieldOf('evidence.links', fields)).toBe('evidence')
    expect(fieldOf('evidence[0]', fields)).toBe('evidence')
    expect(fieldOf('otp_challenge', fields, { otp_challenge: 'otp_code' })).toBe('otp_code')
    expect(fieldOf('body', fields)).toBeNull()
    expect(fieldOf(null, fields)).toBeNull()
  })

  it('shows an error next to its field, or for the whole form', () => {
    const e = useFormErrors(['id_number', 'phone'] as const)
    e.show(new ApiError(400, 'id_number_checksum', 'bad check digit', 'id_number'))
    expect(e.state.field.id_number).toBe('身份证号校验位不正确')
    expect(e.state.form).toBe('')
    e.show(new ApiError(409, 'identity_in_use', 'taken', null))
    expect(e.state.form).toBe('该身份已被其他用户认证')
    e.set('phone', 'invalid_phone')
    expect(e.state.field.phone).toBe('请输入正确的手机号')
    e.clear()
    expect(e.state.field).toEqual({ id_number: '', phone: '' })
    expect(e.state.form).toBe('')
  })

  it('falls back to the shared texts and then to the API message', () => {
    expect(publicErrorText(new ApiError(401, 'invalid_credentials', 'no'))).toBe('手机号或密码错误')
    expect(publicErrorText(new ApiError(400, 'brand_new_code', 'Something new'))).toBe('Something new (brand_new_code)')
  })

  it('has every text in both languages', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]))
    expect(keys(messages.en).sort()).toEqual(keys(messages.zh).sort())
    // vue-i18n would read these as message syntax.
    for (const lang of [messages.zh, messages.en]) {
      const texts: string[] = []
      const walk = (o: object) =>
        Object.values(o).forEach((v) => (typeof v === 'object' ? walk(v) : texts.push(String(v))))
      walk(lang)
      for (const s of texts) expect(s, s).not.toMatch(/[@|$]/)
    }
  })
})

describe('useFeed', () => {
  it('loads pages by cursor until the last one', async () => {
    const pages: Record<string, { items: { id: number }[]; next_cursor: string | null }> = {
      first: { items: [{ id: 3 }, { id: 2 }], next_cursor: 'c1' },
      c1: { items: [{ id: 2 }, { id: 1 }], next_cursor: null },
    }
    const asked: (string | null)[] = []
    const feed = useFeed(async (cursor) => {
      asked.push(cursor)
      return pages[cursor ?? 'first'] as never
    })
    await feed.reload()
    expect(feed.state.items.map((x) => x.id)).toEqual([3, 2])
    expect(feed.state.done).toBe(false)
    await feed.more()
    expect(feed.state.items.map((x) => x.id)).toEqual([3, 2, 1])
    expect(feed.state.done).toBe(true)
    await feed.more()
    expect(asked).toEqual([null, 'c1'])
  })

  it('keeps the error and lets a reload recover', async () => {
    let fail = true
    const feed = useFeed(async () => {
      if (fail) throw new ApiError(400, 'invalid_cursor', 'bad cursor')
      return { items: [], next_cursor: null }
    })
    await feed.reload()
    expect(feed.state.error).toMatch(/invalid_cursor/)
    fail = false
    await feed.reload()
    expect(feed.state.error).toBe('')
    expect(feed.state.loaded).toBe(true)
  })
})
