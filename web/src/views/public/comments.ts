// Comments as the public API gives them (GET /api/v1/articles/{id}/comments) and what a reader is
// told about them.
export interface Comment {
  id: number
  article_id: number
  kind: 'comment' | 'reply' | 'author_reply'
  parent_id: number | null
  body: string
  author: { name: string; kind: 'reader' | 'account' }
  pinned: boolean
  created_at: string
  is_public: boolean
  mine: boolean
  pending?: 'in_review' | 'awaiting_selection'
  reply_count?: number
  replies?: Comment[]
  author_replies: Comment[]
}

export interface CommentsState {
  mode: 'open' | 'selected' | 'closed'
  accepting: boolean
  closed_reason: 'closed' | 'platform_restricted' | 'account_not_active' | null
}

export interface CommentPage {
  article_id: number
  comments_state: CommentsState
  comment_count: number
  comments: Comment[]
  next_before: number | null
}

// The i18n key of the note shown above the comments, or null for open comments.
export function commentsNoteKey(s: CommentsState | null | undefined): string | null {
  if (!s) return null
  if (!s.accepting) return `public.comments.closed.${s.closed_reason ?? 'closed'}`
  if (s.mode === 'selected') return 'public.comments.selectedMode'
  return null
}

// The i18n key of what a reader is told after posting (held for review, waiting for selection).
export function postedKey(pending: string | null | undefined): string {
  if (pending === 'in_review') return 'public.comments.postedInReview'
  if (pending === 'awaiting_selection') return 'public.comments.postedAwaitingSelection'
  return 'public.comments.posted'
}

// Whether every reply of a comment is already shown.
export function hasMoreReplies(c: Comment): boolean {
  return (c.reply_count ?? 0) > (c.replies ?? []).filter((r) => r.is_public).length
}
