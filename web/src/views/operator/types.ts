// Shapes of the API responses the operator console reads (docs/openapi.yaml). Only the fields the
// pages use are typed; the API may send more.

export interface Category {
  id: string
  name_zh: string
  name_en: string
  requires: 'qualification' | 'news_licence' | null
}

export interface Qualification {
  id: number
  kind: 'professional' | 'news_licence'
  licence_number: string
  issuer: string
  expires_at: string
  status: string
  submitted_at: string
  decided_at: string | null
  decision_reason: string
}

export interface SanctionAppealInfo {
  appealable: boolean
  appeal_deadline: string | null
  can_appeal: boolean
  appeal_id: number | null
  appeal_status: string | null
  how: string
}

export interface Sanction {
  id: number
  target_type: string
  target: string
  measure: string
  function: string
  reason_code: string
  note: string
  evidence: string[]
  starts_at: string
  ends_at: string | null
  permanent: boolean
  appealable: boolean
  issued_at: string
  status: string
  account_id: number | null
  subject_id: number | null
  lifted_at: string | null
  lift_reason: string
  appeal?: SanctionAppealInfo
}

export interface Account {
  id: number
  name: string
  avatar_url: string | null
  avatar_caption: string
  avatar_media_id: string | null
  bio: string
  category: Category | string
  badge: string | null
  verified: boolean
  status: string
  status_reason: string
  status_changed_at: string
  correction_due_at: string | null
  cancel_effective_at: string | null
  subject_id: number
  owner_user_id: number
  contact: string
  business_scope: string
  category_verified: boolean
  can_publish: boolean
  publish_blocked_by: string | null
  qualifications: Qualification[]
  sanctions: Sanction[]
  blocked_functions: string[]
  appeal?: { allowed: boolean; deadline: string; how: string }
  disclosures: {
    subject_type: 'individual' | 'organisation'
    registered_place: string
    operating_place: string
    [k: string]: unknown
  }
  grade?: { grade: string; label_zh: string; label_en: string } | null
  created_at: string
  last_active_at?: string
}

// GET /api/v1/me/memberships: an account the user works for, with the public account fields.
export interface Membership {
  role: 'editor' | 'reviewer'
  added_at: string
  account: Pick<Account, 'id' | 'name' | 'avatar_url' | 'avatar_caption' | 'bio' | 'category' | 'badge' | 'status' | 'disclosures'>
}

// GET /api/v1/me/transfers: a transfer offered to one of the user's subjects.
export interface TransferOffer {
  id: number
  account_id: number
  from_subject_id: number
  to_subject_id: number
  status: 'applied' | 'accepted' | 'approved' | 'rejected'
  applied_at: string
  decided_at: string | null
  account: { id: number; name: string; status: string }
}

export interface Subject {
  id: number
  kind: 'individual' | 'organisation'
  status: 'verified' | 'revoked'
  real_name: string
  org_name?: string
  org_type?: string
  created_at: string
}

export interface NameCheck {
  name: string
  decision: 'allow' | 'review' | 'reject'
  matches: { protected: string; kind: string; closed: boolean; score: number }[]
}

export interface Attribution {
  source_account_id: number | null
  source_content_id: string
  source_url: string
  copyright_holder: string
}

export interface Article {
  id: number
  content_id: string
  account_id: number
  title: string
  summary: string
  body: string
  body_html: string
  category: string
  original: boolean
  copyright_holder: string
  attribution: Attribution | null
  advertising: boolean
  ad_label: string | null
  status: string
  created_at: string
  published_at: string | null
  cover_url: string | null
  cover_media_id?: string | null
  tags: string[]
  version: number
  updated_at: string
  draft_id?: number | null
  reprint_policy?: string
  status_reason?: string
  hold_reasons?: string[]
  removed_at?: string | null
}

export interface PublishResult {
  article: Article
  provenance?: { outcome: string; reason: string }
  screening?: { verdict: string; matches: { term: string; category: string; action: string }[] }
  review_id: number | null
}

export interface DraftEvent {
  action: string
  actor_user_id: number
  role: string
  note: string
  at: string
}

export interface Draft {
  id: number
  account_id: number
  status: 'draft' | 'submitted' | 'approved' | 'published'
  title: string
  summary: string
  body: string
  original: boolean
  reprint_policy: string
  copyright_holder: string
  attribution: Attribution | null
  advertising: boolean
  cover_media_id: string | null
  cover_url: string | null
  tags: string[]
  created_by: number
  submitted_by: number | null
  article_id: number | null
  return_note: string
  created_at: string
  updated_at: string
  history: DraftEvent[]
}

export interface ArticleVersion {
  version: number
  edited_by: number
  edited_at: string
  replaced_at: string | null
  title: string
  summary: string
  body: string
  submitted: { title: string; summary: string; body: string }
  tags: string[]
}

export interface FollowEvent {
  id: number
  kind: 'follow' | 'unfollow'
  followers_after: number
  time: string
}

export interface ArticleStats {
  article_id: number
  reads: number
  likes: number
  forwards: number
}

export interface Comment {
  id: number
  article_id: number
  kind: 'comment' | 'reply' | 'author_reply'
  parent_id: number | null
  body: string
  author: { name: string; kind: 'reader' | 'account' }
  pinned: boolean
  created_at: string
  status?: string
  status_reason?: string
  selected?: boolean
  pinned_at?: string | null
  author_replies: Comment[]
  replies?: Comment[]
}

export interface CommentsState {
  mode: string
  accepting: boolean
  closed_reason: string | null
}

export interface CommentPowers {
  close: boolean
  hide: boolean
  reply: boolean
  select: boolean
  pin: boolean
  max_pinned: number
}

export interface AccountCommentSettings {
  account_id: number
  mode: string
  subject_kind: string
  credit_level: string
  powers: CommentPowers
  policy_powers: CommentPowers
  restricted: boolean
  restriction: string | null
}

export interface ArticleCommentSettings {
  article_id: number
  account_id: number
  override_mode: string | null
  account_mode: string
  comments: CommentsState
}

export interface Appeal {
  id: number
  target: { type: 'sanction' | 'article'; id: number }
  account_id: number | null
  text: string
  evidence: string[]
  status: string
  created_at: string
  due_at: string
  decided_at: string | null
  reason: string
  new_sanction_id: number | null
  window_closes_at: string
}

export interface AppealPolicy {
  window_days: number
  decide_within_days: number
  once_per_decision: boolean
  decided_by: { label_zh: string; label_en: string }
  outcomes: { outcome: string; label_zh: string; label_en: string }[]
  steps: { step: string; label_zh: string; label_en: string }[]
}

export interface CreditLevel {
  level: string
  minimum: number
  label_zh: string
  label_en: string
  allows: {
    articles_per_day: number | null
    advertising: boolean
    account_cap: number | null
    groups_created: number | null
    groups_joined: number | null
    comment_powers: string
  }
}

export interface SubjectCredit {
  subject_id: number
  score: number
  level: CreditLevel
  history: {
    id: number
    delta: number
    score_after: number
    kind: string
    reason_code: string
    cause: string
    note: string
    at: string
  }[]
}

export interface Notice {
  id: number
  account_id: number | null
  kind: string
  title: string
  body: string
  created_at: string
}

export interface Member {
  account_id: number
  user_id: number
  display_name: string
  role: 'editor' | 'reviewer'
  added_at: string
}

export interface Agency {
  id: number
  name: string
  credit_code: string
  agreement_ref: string
  scope: string
  starts_at: string
  ends_at: string
  status: 'active' | 'ended'
  recorded_at: string
  ended_at: string | null
  end_reason: string
}

export interface GradeDetail {
  account_id: number
  grade: string
  label_zh: string
  label_en: string
  publish_percent: number
  recommendable: boolean
  points: number
  components: Record<string, Record<string, number | string>>
  rules_version: number
  computed_at: string
  stored: boolean
}
