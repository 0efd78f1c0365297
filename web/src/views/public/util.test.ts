import { describe, expect, it } from 'vitest'
import {
  appendUnique,
  creditCodeProblem,
  isContact,
  isMobile,
  notificationRoute,
  parseHighlight,
  parseLinks,
  residentIdProblem,
  safeRedirect,
  secondsUntil,
  targetRoute,
  unescapeHtml,
} from './util'

// Same construction as tests/api/support.mjs residentId().
function residentId(region = '110101', birth = '19900307', seq = 123) {
  const body = region + birth + String(seq).padStart(3, '0')
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i]
  return body + '10X98765432'[sum % 11]
}

describe('safeRedirect', () => {
  it('keeps paths of this site', () => {
    expect(safeRedirect('/articles/3?x=1')).toBe('/articles/3?x=1')
    expect(safeRedirect(['/notifications'])).toBe('/notifications')
  })
  it('refuses other origins, odd values and the sign-in pages', () => {
    expect(safeRedirect('https://evil.example/')).toBe('/')
    expect(safeRedirect('//evil.example/')).toBe('/')
    expect(safeRedirect('/\\evil.example')).toBe('/')
    expect(safeRedirect(undefined)).toBe('/')
    expect(safeRedirect(null, '/home')).toBe('/home')
    expect(safeRedirect('/login?redirect=/x')).toBe('/')
    expect(safeRedirect('/register')).toBe('/')
  })
})

describe('parseHighlight', () => {
  it('splits marked matches into pieces', () => {
    expect(parseHighlight('用 <mark>SQLite</mark> 做<mark>存储</mark>')).toEqual([
      { text: '用 ', mark: false },
      { text: 'SQLite', mark: true },
      { text: ' 做', mark: false },
      { text: '存储', mark: true },
    ])
  })
  it('unescapes the text and never keeps markup', () => {
    expect(parseHighlight('a &lt;b&gt; &amp; <mark>&quot;c&quot;</mark>')).toEqual([
      { text: 'a <b> & ', mark: false },
      { text: '"c"', mark: true },
    ])
    // Unexpected tags are dropped, escaped ones stay text.
    expect(parseHighlight('<script>x</script>&lt;script&gt;')).toEqual([{ text: 'x<script>', mark: false }])
  })
  it('handles empty input and adjacent marks', () => {
    expect(parseHighlight('')).toEqual([])
    expect(parseHighlight(null)).toEqual([])
    expect(parseHighlight('<mark>a</mark><mark>b</mark>')).toEqual([{ text: 'ab', mark: true }])
  })
  it('unescapes numeric entities', () => {
    expect(unescapeHtml('&#39;&#x4e2d;&apos;')).toBe("'中'")
    expect(unescapeHtml('&unknown;')).toBe('&unknown;')
  })
})

describe('notificationRoute', () => {
  it('maps API paths and refs to pages', () => {
    expect(notificationRoute('/api/v1/reports/12')).toBe('/reports/12')
    expect(notificationRoute('/api/v1/articles/7?x=1')).toBe('/articles/7')
    expect(notificationRoute('/api/v1/rumours/1')).toBe('/rumours#rumour-1')
    expect(notificationRoute(null, 'account:3')).toBe('/accounts/3')
    expect(notificationRoute('/api/v1/appeals/2', 'appeal:2')).toBeNull()
    expect(notificationRoute('https://example.com/api/v1/reports/1')).toBeNull()
  })
})

describe('targetRoute', () => {
  it('links articles and accounts only', () => {
    expect(targetRoute({ type: 'article', id: 2 })).toBe('/articles/2')
    expect(targetRoute({ type: 'account', id: 5 })).toBe('/accounts/5')
    expect(targetRoute({ type: 'comment', id: 5 })).toBeNull()
    expect(targetRoute(null)).toBeNull()
  })
})

describe('parseLinks', () => {
  it('takes one http(s) link per line, without duplicates', () => {
    expect(parseLinks(' https://a.cn/x \n\nhttp://b.cn\r\nhttps://a.cn/x')).toEqual({
      links: ['https://a.cn/x', 'http://b.cn'],
      invalid: null,
      tooMany: false,
    })
  })
  it('reports the first invalid line and too many links', () => {
    expect(parseLinks('ftp://x.cn\njavascript:alert(1)').invalid).toBe('ftp://x.cn')
    expect(parseLinks('https://\n').invalid).toBe('https://')
    const many = Array.from({ length: 11 }, (_, i) => `https://x.cn/${i}`).join('\n')
    expect(parseLinks(many).tooMany).toBe(true)
    expect(parseLinks(many, 20).tooMany).toBe(false)
  })
})

describe('contacts', () => {
  it('accepts mainland mobile numbers and e-mail addresses', () => {
    expect(isMobile('13800138000')).toBe(true)
    expect(isMobile('+86 138-0013-8000')).toBe(true)
    expect(isMobile('12800138000')).toBe(false)
    expect(isMobile('1380013800')).toBe(false)
    expect(isContact('m@example.com')).toBe(true)
    expect(isContact('not an address')).toBe(false)
  })
})

describe('residentIdProblem', () => {
  it('accepts valid numbers', () => {
    expect(residentIdProblem(residentId())).toBeNull()
    expect(residentIdProblem(residentId('440305', '20000229', 7))).toBeNull()
    expect(residentIdProblem(residentId().toLowerCase())).toBeNull()
  })
  it('names the problem with the API codes', () => {
    expect(residentIdProblem('1101011990')).toBe('id_number_length')
    expect(residentIdProblem('11010119900307A23X')).toBe('id_number_charset')
    expect(residentIdProblem(residentId('990101'))).toBe('id_number_region')
    expect(residentIdProblem(residentId('110101', '19900230'))).toBe('id_number_birth_date')
    expect(residentIdProblem(residentId('110101', '18991231'))).toBe('id_number_birth_date')
    expect(residentIdProblem(residentId('110101', '20990101'), new Date('2026-01-01'))).toBe('id_number_birth_date')
    const good = residentId()
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
    expect(residentIdProblem(bad)).toBe('id_number_checksum')
  })
})

describe('creditCodeProblem', () => {
  function creditCode(body17 = '91110108MA01ABCD1') {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY'
    const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    let sum = 0
    for (let i = 0; i < 17; i++) sum += alphabet.indexOf(body17[i]) * w[i]
    return body17 + alphabet[(31 - (sum % 31)) % 31]
  }
  it('checks length, characters and the check character', () => {
    expect(creditCodeProblem(creditCode())).toBeNull()
    expect(creditCodeProblem('9111')).toBe('credit_code_length')
    expect(creditCodeProblem('91110108MA01ABCDI1')).toBe('credit_code_charset')
    const good = creditCode()
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
    expect(creditCodeProblem(bad)).toBe('credit_code_checksum')
  })
})

describe('appendUnique and secondsUntil', () => {
  it('leaves out items already listed', () => {
    expect(appendUnique([{ id: 1 }, { id: 2 }], [{ id: 2 }, { id: 3 }]).map((x) => x.id)).toEqual([1, 2, 3])
  })
  it('counts down to a time', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(secondsUntil('2026-01-01T00:01:00Z', now)).toBe(60)
    expect(secondsUntil('2025-12-31T00:00:00Z', now)).toBe(0)
    expect(secondsUntil(null, now)).toBe(0)
    expect(secondsUntil('garbage', now)).toBe(0)
  })
})
