import { describe, expect, it } from 'vitest'
import { message } from '@/test/fixtures'
import { buildRows } from './rows'

describe('buildRows', () => {
  const now = new Date(2026, 10, 24, 12, 0)
  const at = (text: string, author: string, when: Date) => ({ ...message(text, author), sentAt: when.getTime() })

  it('groups by author and time, heads each day, puts the unread divider in place', () => {
    const a1 = at('a1', 'ada', new Date(2026, 10, 23, 9, 0))
    const a2 = at('a2', 'ada', new Date(2026, 10, 23, 9, 2)) // same author, 2 min later
    const b1 = at('b1', 'bob', new Date(2026, 10, 23, 9, 3))
    const b2 = at('b2', 'bob', new Date(2026, 10, 23, 9, 30)) // same author, 27 min later
    const a3 = at('a3', 'ada', new Date(2026, 10, 24, 8, 0)) // next day
    const a4 = at('a4', 'ada', new Date(2026, 10, 24, 8, 1)) // first unread
    const rows = buildRows([a1, a2, b1, b2, a3, a4], a4.id, now)
    expect(rows.map((r) => (r.kind === 'message' ? `${r.message.text}${r.continued ? '+' : ''}` : r.kind === 'day' ? `[${r.label}]` : '--'))).toEqual([
      '[Yesterday]',
      'a1',
      'a2+',
      'b1',
      'b2',
      '[Today]',
      'a3',
      '--',
      'a4',
    ])
  })
})
