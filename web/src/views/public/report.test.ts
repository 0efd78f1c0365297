import { describe, expect, it } from 'vitest'
import { buildReport, emptyReportForm, reportLink } from './report'
import { commentsNoteKey, hasMoreReplies, postedKey, type Comment } from './comments'

const target = { type: 'article', id: 7 }

describe('buildReport', () => {
  it('builds the body of a signed-in report with links and screenshots', () => {
    const f = {
      ...emptyReportForm(),
      category: 'spam',
      description: '  广告引流  ',
      links: 'https://a.cn/1\nhttps://a.cn/2',
      mediaIds: ['a'.repeat(64)],
    }
    expect(buildReport(target, f, { signedIn: true, needsRightsProof: false })).toEqual({
      body: {
        target: { type: 'article', id: 7 },
        category: 'spam',
        description: '广告引流',
        evidence: { links: ['https://a.cn/1', 'https://a.cn/2'], media_ids: ['a'.repeat(64)] },
      },
      errors: {},
    })
  })

  it('asks an anonymous reporter for a contact and leaves screenshots out', () => {
    const f = { ...emptyReportForm(), category: 'rumour', description: 'x', mediaIds: ['b'.repeat(64)] }
    expect(buildReport(target, f, { signedIn: false, needsRightsProof: false }).errors).toEqual({
      contact: 'contact_required',
    })
    expect(buildReport(target, { ...f, contact: 'nobody' }, { signedIn: false, needsRightsProof: false }).errors).toEqual({
      contact: 'invalid_contact',
    })
    const ok = buildReport(target, { ...f, contact: ' m@example.com ' }, { signedIn: false, needsRightsProof: false })
    expect(ok.body).toEqual({
      target,
      category: 'rumour',
      description: 'x',
      contact: 'm@example.com',
    })
  })

  it('needs the rights holder and proof for infringement', () => {
    const f = { ...emptyReportForm(), category: 'copyright_infringement', description: '抄袭' }
    expect(buildReport(target, f, { signedIn: true, needsRightsProof: true }).errors).toEqual({
      rights_holder: 'rights_holder_required',
      rights_proof: 'rights_proof_required',
    })
    const withProof = buildReport(
      target,
      { ...f, rightsHolder: '王小明', proofMediaIds: ['c'.repeat(64)], proofLinks: 'https://blog.cn/about' },
      { signedIn: true, needsRightsProof: true },
    )
    expect(withProof.body?.rights_holder).toBe('王小明')
    expect(withProof.body?.rights_proof).toEqual({ links: ['https://blog.cn/about'], media_ids: ['c'.repeat(64)] })
    // Proof fields are not sent for other categories.
    const other = buildReport(
      target,
      { ...f, category: 'spam', rightsHolder: '王小明', proofLinks: 'https://blog.cn/about' },
      { signedIn: true, needsRightsProof: false },
    )
    expect(other.body).not.toHaveProperty('rights_holder')
    expect(other.body).not.toHaveProperty('rights_proof')
  })

  it('names every missing or malformed field', () => {
    const r = buildReport(target, { ...emptyReportForm(), links: 'not a link' }, { signedIn: true, needsRightsProof: false })
    expect(r.body).toBeUndefined()
    expect(r.errors).toEqual({
      category: 'category_required',
      description: 'invalid_description',
      evidence: 'invalid_link',
    })
    const long = buildReport(
      target,
      { ...emptyReportForm(), category: 'other', description: '字'.repeat(2001) },
      { signedIn: true, needsRightsProof: false },
    )
    expect(long.errors).toEqual({ description: 'description_too_long' })
  })

  it('links the progress page, with the token of an anonymous reporter', () => {
    expect(reportLink(3)).toBe('/reports/3')
    expect(reportLink(3, 'hr_a+b/c')).toBe('/reports/3?token=hr_a%2Bb%2Fc')
  })
})

describe('comments', () => {
  it('tells what the comment mode means', () => {
    expect(commentsNoteKey({ mode: 'open', accepting: true, closed_reason: null })).toBeNull()
    expect(commentsNoteKey({ mode: 'selected', accepting: true, closed_reason: null })).toBe('public.comments.selectedMode')
    expect(commentsNoteKey({ mode: 'closed', accepting: false, closed_reason: 'closed' })).toBe('public.comments.closed.closed')
    expect(commentsNoteKey({ mode: 'open', accepting: false, closed_reason: 'platform_restricted' })).toBe(
      'public.comments.closed.platform_restricted',
    )
    expect(commentsNoteKey(null)).toBeNull()
  })
  it('tells the author what happens to a new comment', () => {
    expect(postedKey(null)).toBe('public.comments.posted')
    expect(postedKey('in_review')).toBe('public.comments.postedInReview')
    expect(postedKey('awaiting_selection')).toBe('public.comments.postedAwaitingSelection')
  })
  it('knows when replies are missing', () => {
    const c = (n: number, shown: number): Comment =>
      ({
        id: 1,
        reply_count: n,
        replies: Array.from({ length: shown }, (_, i) => ({ id: i + 2, is_public: true })),
      }) as unknown as Comment
    expect(hasMoreReplies(c(3, 3))).toBe(false)
    expect(hasMoreReplies(c(5, 3))).toBe(true)
    expect(hasMoreReplies({ id: 1 } as unknown as Comment)).toBe(false)
  })
})
