import { describe, it, expect, vi } from 'vitest'
import { ApiError } from '@/api/client'
import {
  fieldOf,
  useFormErrors,
  debounce,
  normaliseTags,
  splitTags,
  evidenceList,
  invalidEvidence,
} from './forms'

describe('fieldOf', () => {
  const fields = ['name', 'tags', 'attribution', 'expires_on'] as const
  it('finds the field, its first path part or an alias', () => {
    expect(fieldOf('name', fields)).toBe('name')
    expect(fieldOf('attribution.source_url', fields)).toBe('attribution')
    expect(fieldOf('tags[3]', fields)).toBe('tags')
    expect(fieldOf('expires_at', fields, { expires_at: 'expires_on' })).toBe('expires_on')
    expect(fieldOf('phone', fields)).toBeNull()
    expect(fieldOf(null, fields)).toBeNull()
  })
})

describe('useFormErrors', () => {
  it('puts a named field error next to the field, others on the form', () => {
    const f = useFormErrors(['name', 'bio'] as const)
    f.show(new ApiError(400, 'invalid_bio', 'bio too long', 'bio'))
    expect(f.state.field.bio).toBe('简介不符合要求')
    expect(f.state.form).toBe('')
    // A code without a text of ours shows the API's message with the code.
    f.show(new ApiError(400, 'brand_new_code', 'name odd', 'name'))
    expect(f.state.field.name).toBe('name odd (brand_new_code)')
    f.show(new ApiError(409, 'agreement_not_accepted', 'accept first', null))
    expect(f.state.form).not.toBe('')
    f.clear()
    expect(f.state.field.bio).toBe('')
    expect(f.state.form).toBe('')
  })
})

describe('debounce', () => {
  it('calls once with the last arguments', () => {
    vi.useFakeTimers()
    const fn = vi.fn()
    const d = debounce(fn, 300)
    d('a')
    d('b')
    vi.advanceTimersByTime(299)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(fn).toHaveBeenCalledWith('b')
    d('c')
    d.cancel()
    vi.advanceTimersByTime(1000)
    expect(fn).toHaveBeenCalledTimes(1)
    vi.useRealTimers()
  })
})

describe('tags', () => {
  it('normalises like the API and reports what cannot be a tag', () => {
    expect(normaliseTags([' #SQLite', 'sqlite', '读书', '', 'a b', 'x/y', '一二三四五六七八九十一二三四五六七八九十一'])).toEqual({
      tags: ['sqlite', '读书'],
      invalid: ['a b', 'x/y', '一二三四五六七八九十一二三四五六七八九十一'],
    })
  })
  it('splits typed text on commas (also full-width) and spaces', () => {
    expect(splitTags('#读书， sqlite,笔记  ')).toEqual(['#读书', 'sqlite', '笔记'])
  })
})

describe('appeal evidence', () => {
  it('joins links and media ids, at most 10, and finds invalid ones', () => {
    const media = 'a'.repeat(64)
    const list = evidenceList('https://example.cn/a\n\n  http://x.cn/b \nftp://nope', [media])
    expect(list).toEqual(['https://example.cn/a', 'http://x.cn/b', 'ftp://nope', media])
    expect(invalidEvidence(list)).toEqual(['ftp://nope'])
    expect(evidenceList(Array(12).fill('https://e.cn').join('\n'), [])).toHaveLength(10)
  })
})
