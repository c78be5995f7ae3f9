import { describe, expect, it } from 'vitest'
import { room } from '@/test/fixtures'
import { canChangeRoom, canInvite, expiryText, standingOf, usesText, writeBlocked } from './privateRoom'

describe('privateRoom: who may invite', () => {
  it('the owner and moderators of a private room invite; a member, a joiner waiting or a removed one does not', () => {
    expect(canInvite(room({ private: true, myRole: 'owner' }))).toBe(true)
    expect(canInvite(room({ private: true, myRole: 'moderator' }))).toBe(true)
    expect(canInvite(room({ private: true, myRole: 'member' }))).toBe(false)
    expect(canInvite(room({ private: true, myRole: '', pending: true }))).toBe(false)
    expect(canInvite(room({ private: true, myRole: '', removed: true }))).toBe(false)
    expect(canInvite(room())).toBe(false) // an open room's link is its own button
  })

  it('anyone renames an open room; only the owner and moderators a private one', () => {
    expect(canChangeRoom(room())).toBe(true)
    expect(canChangeRoom(room({ private: true, myRole: 'moderator' }))).toBe(true)
    expect(canChangeRoom(room({ private: true, myRole: 'member' }))).toBe(false)
  })

  it('nobody invites to a direct conversation, renames it or sets its topic, though both people own it', () => {
    const direct = room({ private: true, direct: true, myRole: 'owner' })
    expect(canInvite(direct)).toBe(false)
    expect(canChangeRoom(direct)).toBe(false)
  })
})

describe('privateRoom: where a join by link stands', () => {
  it('waits, is turned away with its reason in words, or was removed; an open room or a member has no banner', () => {
    expect(standingOf(room())).toBeNull()
    expect(standingOf(room({ private: true, myRole: 'member' }))).toBeNull()
    expect(standingOf(room({ private: true, pending: true }))).toEqual({ kind: 'pending' })
    expect(standingOf(room({ private: true, pending: true, refused: 'expired' }))).toEqual({
      kind: 'refused',
      text: 'This invite link has expired; ask for a new one.',
    })
    expect(standingOf(room({ private: true, removed: true }))).toEqual({ kind: 'removed' })
  })

  it('says every refusal in a sentence of its own, never the code', () => {
    const texts = (['expired', 'revoked', 'usedUp', 'removed', 'unknown'] as const).map((refused) => {
      const s = standingOf(room({ private: true, pending: true, refused }))
      return s?.kind === 'refused' ? s.text : ''
    })
    expect(new Set(texts).size).toBe(5)
    for (const t of texts) {
      expect(t).toMatch(/^[A-Z].*\.$/)
      expect(t).not.toMatch(/usedUp|unknown\b/)
    }
  })

  it('tells the composer why it is off', () => {
    expect(writeBlocked(room())).toBe('')
    expect(writeBlocked(room({ private: true, pending: true }))).toBe('You can write here once a member lets you in.')
    expect(writeBlocked(room({ private: true, removed: true }))).toMatch(/^You were removed from this room/)
    expect(writeBlocked(room({ private: true, pending: true, refused: 'revoked' }))).toBe('This invite link was revoked; ask for a new one.')
  })
})

describe('privateRoom: an invitation in words', () => {
  const now = 1_700_000_000_000
  it('says when it expires', () => {
    expect(expiryText(0, now)).toBe('Never expires')
    expect(expiryText(now + 30 * 60_000, now)).toBe('Expires in 30 min')
    expect(expiryText(now + 3_600_000, now)).toBe('Expires in 1 hour')
    expect(expiryText(now + 23 * 3_600_000, now)).toBe('Expires in 23 hours')
    expect(expiryText(now + 7 * 86_400_000, now)).toBe('Expires in 7 days')
    expect(expiryText(now - 1, now)).toBe('Expired')
  })

  it('says how much of it is used', () => {
    expect(usesText(0, 5)).toBe('0 of 5 used')
    expect(usesText(2, 5)).toBe('2 of 5 used')
    expect(usesText(0, 0)).toBe('Nobody joined yet; no limit')
    expect(usesText(3, 0)).toBe('3 joined; no limit')
  })
})
