import { describe, expect, it } from 'vitest'
import { member } from '@/test/fixtures'
import { ago, presenceText } from './presence'

describe('presence words', () => {
  const now = new Date(2026, 10, 20, 15, 0).getTime()
  for (const [msAgo, words] of [
    [20_000, 'just now'],
    [5 * 60_000, '5 min ago'],
    [3 * 3600_000, '3 h ago'],
    [26 * 3600_000, 'yesterday'],
    [4 * 86400_000, '4 days ago'],
  ] as const) {
    it(`says ${words}`, () => expect(ago(now - msAgo, now)).toBe(words))
  }

  it('gives a date for long ago', () => {
    expect(ago(now - 40 * 86400_000, now)).toMatch(/^on .*2026/)
  })

  it('says last seen for an offline member connected before, offline for one never connected', () => {
    expect(presenceText({ ...member('c', false), lastSeen: now - 2 * 3600_000 }, now)).toBe('last seen 2 h ago')
    expect(presenceText(member('d', false), now)).toBe('offline')
    expect(presenceText({ ...member('e', true), presence: 'away' }, now)).toBe('away')
  })

  it('says just now for a member who left seconds ago, however long ago it last wrote', () => {
    // lastSeen is when the member was last connected, not its last message.
    expect(presenceText({ ...member('f', false), lastSeen: now - 3_000 }, now)).toBe('last seen just now')
  })
})
