import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import HighlightedText from './HighlightedText.vue'

describe('HighlightedText', () => {
  it('marks byte-offset matches with <mark> elements', () => {
    const w = mount(HighlightedText, {
      props: { text: '警惕刷单骗局', matches: [{ start: 6, end: 12, label: '刷单 · fraud' }] },
    })
    const marks = w.findAll('mark')
    expect(marks.map((m) => m.text())).toEqual(['刷单'])
    expect(marks[0].attributes('title')).toBe('刷单 · fraud')
    expect(w.text()).toBe('警惕刷单骗局')
  })
  it('finds terms and never renders the text as HTML', () => {
    const w = mount(HighlightedText, {
      props: { text: '<b>新华社</b>区生活', terms: ['新华社'] },
    })
    expect(w.find('b').exists()).toBe(false)
    expect(w.find('mark').text()).toBe('新华社')
    expect(w.text()).toBe('<b>新华社</b>区生活')
  })
})
