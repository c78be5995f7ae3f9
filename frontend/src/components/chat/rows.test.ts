import { describe, expect, it } from 'vitest'
import { message } from '@/test/fixtures'
import { buildRows, dayLabel, fullTime, systemText } from './rows'

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

describe('room changes and labels', () => {
  const now = new Date(2026, 10, 24, 12, 0)

  it('tells a rename and a topic change in a line of their own that ends a group', () => {
    const a1 = { ...message('hi', 'ada'), sentAt: new Date(2026, 10, 24, 9, 0).getTime(), authorName: 'Ada' }
    const rename = { ...message('Plans', 'ada'), kind: 'roomName' as const, sentAt: new Date(2026, 10, 24, 9, 1).getTime(), authorName: 'Ada' }
    const topic = { ...message('Q3 launch', 'bob'), kind: 'roomTopic' as const, sentAt: new Date(2026, 10, 24, 9, 1).getTime(), authorName: 'Bob' }
    const a2 = { ...message('again', 'ada'), sentAt: new Date(2026, 10, 24, 9, 2).getTime(), authorName: 'Ada' }
    const rows = buildRows([a1, rename, topic, a2], null, now)
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'system', 'system', 'message'])
    expect(rows.filter((r) => r.kind === 'system').map((r) => (r.kind === 'system' ? r.text : ''))).toEqual([
      'Ada renamed the room to Plans',
      'Bob set the topic: Q3 launch',
    ])
    const last = rows.at(-1)!
    expect(last.kind === 'message' && last.continued).toBe(false) // a new group after the line
  })

  it('names days older than yesterday by their date', () => {
    const label = dayLabel(new Date(2026, 10, 2, 9, 0).getTime(), now)
    expect(label).not.toMatch(/Today|Yesterday/)
    expect(label).toContain('2026')
    expect(label).toContain(new Date(2026, 10, 2).toLocaleDateString([], { weekday: 'long' }))
  })

  it('gives the full date and time for a tooltip', () => {
    const t = fullTime(new Date(2026, 10, 2, 9, 41).getTime())
    expect(t).toContain('2026')
    expect(t).toMatch(/9:41|09:41/)
  })

  it('tells who made the room visible on this network, or invite only again', () => {
    const on = { ...message('on', 'ada'), kind: 'roomNearby' as const, authorName: 'Ada' }
    const off = { ...message('off', 'bob'), kind: 'roomNearby' as const, authorName: 'Bob' }
    const rows = buildRows([on, off], null, now)
    expect(rows.filter((r) => r.kind === 'system').map((r) => (r.kind === 'system' ? r.text : ''))).toEqual([
      'Ada made the room visible on this network',
      'Bob made the room invite only',
    ])
  })

  it('says "You" for your own changes', () => {
    expect(systemText({ ...message('New', 'me', true), kind: 'roomName' })).toBe('You renamed the room to New')
  })
})
