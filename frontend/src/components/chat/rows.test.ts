import { describe, expect, it } from 'vitest'
import { message } from '@/test/fixtures'
import { arrowTarget, authorLabel, buildRows, clockTime, dayLabel, fullTime, gutterTime, latestLabel, systemText } from './rows'

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

describe('files', () => {
  it('shows a shared file as a message of its author, in the group', () => {
    const now = new Date(2026, 10, 24, 12, 0)
    const hi = { ...message('look', 'ada'), sentAt: new Date(2026, 10, 24, 9, 0).getTime() }
    const file = {
      ...message('', 'ada'),
      kind: 'file' as const,
      sentAt: new Date(2026, 10, 24, 9, 1).getTime(),
      file: { hash: 'ab'.repeat(32), name: 'plan.pdf', size: 10, mime: 'application/pdf', width: 0, height: 0, state: 'complete' as const, have: 10 },
    }
    const rows = buildRows([hi, file], null, now)
    expect(rows.map((r) => (r.kind === 'message' ? `${r.message.kind}${r.continued ? '+' : ''}` : r.kind))).toEqual(['day', 'text', 'file+'])
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

  it("shows a private room's membership line as the node worded it, as its own line", () => {
    const line = { ...message('Ada removed Bob', 'ada'), kind: 'member' as const, authorName: 'Ada' }
    const rows = buildRows([line], null, now)
    expect(rows.map((r) => r.kind)).toEqual(['day', 'system'])
    expect(systemText(line)).toBe('Ada removed Bob')
  })

  it('says "You" for your own changes', () => {
    expect(systemText({ ...message('New', 'me', true), kind: 'roomName' })).toBe('You renamed the room to New')
  })
})

describe('names and times', () => {
  it('names the author by name, "You" for your own, "Someone" for no name: never a fingerprint', () => {
    expect(authorLabel({ ...message('x', 'peer-bob00001'), authorName: 'Bob' })).toBe('Bob')
    expect(authorLabel({ ...message('x', 'peer-bob00001'), authorName: '', authorShort: 'bob00001' })).toBe('Someone')
    expect(authorLabel(message('x', 'me', true))).toBe('You')
  })

  const evening = new Date(2026, 10, 24, 18, 22).getTime()
  const noon = new Date(2026, 10, 24, 12, 59).getTime()

  it('gives the time of day with AM or PM where the language uses them', () => {
    expect(clockTime(evening, 'en-US')).toBe('06:22 PM')
    expect(clockTime(evening, 'de-DE')).toBe('18:22')
  })

  it('keeps the gutter time to hours and minutes, so it fits beside the text', () => {
    expect(gutterTime(evening, 'en-US')).toBe('6:22')
    expect(gutterTime(noon, 'en-US')).toBe('12:59')
    expect(gutterTime(evening, 'de-DE')).toBe('18:22')
    expect(gutterTime(evening, 'ko-KR')).toBe('6:22') // the day period comes first there
    for (const locale of ['en-US', 'en-GB', 'fr-FR', 'ja-JP', 'zh-CN', 'ar-EG', 'hi-IN']) {
      expect(gutterTime(noon, locale).length, locale).toBeLessThanOrEqual(5)
    }
  })
})

describe('the list around the messages', () => {
  it('says how many new messages wait below, in the reader\'s numbers', () => {
    expect(latestLabel(1, true)).toBe('1 new message')
    expect(latestLabel(3, true)).toBe('3 new messages')
    expect(latestLabel(1204, true)).toBe(`${new Intl.NumberFormat().format(1204)} new messages`)
    expect(latestLabel(0, true)).toBe('New messages')
    expect(latestLabel(0, false)).toBe('')
  })

  it('moves the focus with the arrows, Home and End, and stays inside the list', () => {
    expect(arrowTarget('ArrowDown', 1, 3)).toBe(2)
    expect(arrowTarget('ArrowDown', 2, 3)).toBe(2)
    expect(arrowTarget('ArrowUp', 0, 3)).toBe(0)
    expect(arrowTarget('Home', 2, 3)).toBe(0)
    expect(arrowTarget('End', 0, 3)).toBe(2)
    expect(arrowTarget('a', 0, 3)).toBeNull()
  })
})
