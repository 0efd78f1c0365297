import { describe, expect, it } from 'vitest'
import {
  dueState,
  menuFor,
  splitList,
  parseTermLines,
  parseNameLines,
  actorUserId,
  measuresFor,
  STAFF_PERMISSIONS,
} from './model'

describe('dueState', () => {
  const now = new Date('2026-01-01T12:00:00Z')
  it('trusts the overdue flag of an open item', () => {
    expect(dueState({ due_at: '2026-01-02T00:00:00Z', overdue: true, status: 'pending' }, now)).toBe(
      'overdue',
    )
  })
  it('sees a passed due time as overdue', () => {
    expect(dueState({ due_at: '2026-01-01T11:59:00Z', status: 'claimed' }, now)).toBe('overdue')
  })
  it('marks items due within the window as soon', () => {
    expect(dueState({ due_at: '2026-01-01T13:00:00Z', status: 'pending' }, now)).toBe('soon')
    expect(dueState({ due_at: '2026-01-02T13:00:00Z', status: 'pending' }, now)).toBe('ok')
  })
  it('never flags decided items', () => {
    expect(dueState({ due_at: '2025-01-01T00:00:00Z', overdue: true, status: 'approved' }, now)).toBe(
      'closed',
    )
  })
})

describe('menuFor', () => {
  it('shows a moderator the queue and sanctions but not the audit log', () => {
    const keys = menuFor(['accounts.review', 'sanctions.read', 'sanctions.issue']).map((m) => m.key)
    expect(keys).toContain('queue')
    expect(keys).toContain('sanctions')
    expect(keys).not.toContain('audit')
    expect(keys).not.toContain('users')
  })
  it('shows an auditor only what they may read', () => {
    const keys = menuFor([
      'audit.read',
      'credit.read',
      'reports.read',
      'sanctions.read',
      'subjects.read',
      'users.read',
    ]).map((m) => m.key)
    expect(keys).toEqual(['reports', 'sanctions', 'credit', 'audit', 'users'])
  })
  it('shows nothing to a reader', () => {
    expect(menuFor(['self.read', 'self.write'])).toEqual([])
  })
  it('lists each staff permission once', () => {
    expect(new Set(STAFF_PERMISSIONS).size).toBe(STAFF_PERMISSIONS.length)
    expect(STAFF_PERMISSIONS).toContain('audit.read')
  })
})

describe('parsing pasted lists', () => {
  it('splits evidence on spaces, commas and lines', () => {
    expect(splitList('article:1, article:2\nhttps://x.cn/a  ，media:3')).toEqual([
      'article:1',
      'article:2',
      'https://x.cn/a',
      'media:3',
    ])
    expect(splitList('  ')).toEqual([])
  })
  it('reads emergency term lines with optional category and action', () => {
    expect(parseTermLines('# comment\n谣言A\n谣言B\tpolitics\treview\n\n')).toEqual([
      { term: '谣言A' },
      { term: '谣言B', category: 'politics', action: 'review' },
    ])
  })
  it('reads protected names with a default kind and an optional subject', () => {
    expect(parseNameLines('新华社\tmedia\n某某公司,enterprise,7\n张三', 'public_figure')).toEqual([
      { name: '新华社', kind: 'media' },
      { name: '某某公司', kind: 'enterprise', bound_subject_id: 7 },
      { name: '张三', kind: 'public_figure' },
    ])
  })
  it('reads user ids out of actors', () => {
    expect(actorUserId('user:12')).toBe(12)
    expect(actorUserId('cli')).toBeNull()
  })
})

describe('measuresFor', () => {
  const all = [
    'warning',
    'restrict',
    'suspend_updates',
    'stop_advertising',
    'close_account',
    'close_group',
    'blacklist',
    'ban_name',
  ]
  it('orders the ladder from the lightest and fits the target', () => {
    expect(measuresFor('account', all)).toEqual([
      'warning',
      'stop_advertising',
      'restrict',
      'suspend_updates',
      'close_account',
      'blacklist',
    ])
    expect(measuresFor('name', all)).toEqual(['ban_name'])
    expect(measuresFor('group', all)).toContain('close_group')
    expect(measuresFor('group', all)).not.toContain('close_account')
  })
})
