import { describe, expect, it } from 'vitest'
import {
  byteToIndex,
  byteRangesToIndices,
  findTermRanges,
  mergeRanges,
  segments,
  segmentsFromBytes,
  markedCount,
} from './highlight'

describe('byteToIndex', () => {
  it('maps ASCII offsets one to one', () => {
    expect(byteToIndex('hello', 0)).toBe(0)
    expect(byteToIndex('hello', 3)).toBe(3)
    expect(byteToIndex('hello', 5)).toBe(5)
  })
  it('counts three bytes per CJK character', () => {
    // 警惕刷单骗局: 刷单 is bytes 6..12
    const t = '警惕刷单骗局'
    expect(byteToIndex(t, 6)).toBe(2)
    expect(byteToIndex(t, 12)).toBe(4)
  })
  it('handles mixed widths and characters outside the BMP', () => {
    const t = 'aé中😀b' // 1 + 2 + 3 + 4 + 1 bytes; 😀 is two UTF-16 units
    expect(byteToIndex(t, 1)).toBe(1)
    expect(byteToIndex(t, 3)).toBe(2)
    expect(byteToIndex(t, 6)).toBe(3)
    expect(byteToIndex(t, 10)).toBe(5)
    expect(byteToIndex(t, 11)).toBe(6)
  })
  it('rounds offsets inside a character down, or up when asked', () => {
    expect(byteToIndex('中文', 1)).toBe(0)
    expect(byteToIndex('中文', 1, true)).toBe(1)
  })
  it('clamps offsets past the end and before the start', () => {
    expect(byteToIndex('中文', 100)).toBe(2)
    expect(byteToIndex('中文', -4)).toBe(0)
  })
})

describe('segments', () => {
  it('marks the API byte ranges of a Chinese text', () => {
    const body = '最近有人以刷单为名诈骗。'
    const segs = segmentsFromBytes(body, [{ start: 15, end: 21, label: '刷单' }])
    expect(segs).toEqual([
      { text: '最近有人以', mark: false },
      { text: '刷单', mark: true, label: '刷单' },
      { text: '为名诈骗。', mark: false },
    ])
  })
  it('returns the whole text unmarked without ranges', () => {
    expect(segments('abc', [])).toEqual([{ text: 'abc', mark: false }])
    expect(segments('', [])).toEqual([{ text: '', mark: false }])
  })
  it('merges overlapping ranges and joins their labels', () => {
    const merged = mergeRanges('abcdefgh', [
      { start: 4, end: 6, label: 'ef' },
      { start: 1, end: 3, label: 'bc' },
      { start: 2, end: 5, label: 'cde' },
    ])
    expect(merged).toEqual([{ start: 1, end: 6, label: 'bc · cde · ef' }])
  })
  it('keeps separate ranges apart and marks a range at the very end', () => {
    const segs = segments('abcdef', [
      { start: 0, end: 1 },
      { start: 4, end: 6 },
    ])
    expect(segs.map((s) => [s.text, s.mark])).toEqual([
      ['a', true],
      ['bcd', false],
      ['ef', true],
    ])
    expect(markedCount(segs)).toBe(2)
  })
  it('ignores empty and out-of-range ranges', () => {
    const segs = segments('abc', [
      { start: 2, end: 2 },
      { start: 5, end: 9 },
    ])
    expect(segs).toEqual([{ text: 'abc', mark: false }])
  })
  it('converts a list of byte ranges', () => {
    expect(byteRangesToIndices('中a文', [{ start: 3, end: 7 }])).toEqual([
      { start: 1, end: 3, label: undefined },
    ])
  })
})

describe('findTermRanges', () => {
  it('finds every occurrence, case-insensitively', () => {
    expect(findTermRanges('Casino and CASINO', ['casino']).map((r) => r.start)).toEqual([0, 11])
  })
  it('finds a protected name inside an account name', () => {
    const segs = segments('新华社区生活', findTermRanges('新华社区生活', ['新华社']))
    expect(segs[0]).toEqual({ text: '新华社', mark: true, label: '新华社' })
  })
  it('skips empty terms', () => {
    expect(findTermRanges('abc', [''])).toEqual([])
  })
})
