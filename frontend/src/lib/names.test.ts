import { describe, expect, it } from 'vitest'
import { displayName, isShared, nameKey, nameless, roomLabel, sharedNames } from './names'

describe('displayName', () => {
  it('is the name, trimmed, or "Someone" for nobody named', () => {
    expect(displayName(' Ada ')).toBe('Ada')
    expect(displayName('')).toBe(nameless)
    expect(displayName('   ')).toBe('Someone')
    expect(displayName(undefined)).toBe('Someone')
  })
})

describe('sharedNames', () => {
  const p = (peerId: string, name: string) => ({ peerId, name })

  it('finds no shared name among distinct names', () => {
    expect(sharedNames([p('a', 'Ada'), p('b', 'Bob'), p('c', 'Carol')]).size).toBe(0)
  })

  it('finds a name two people go by, whatever its case and spaces', () => {
    const shared = sharedNames([p('a', 'Ada'), p('b', ' ada  '), p('c', 'Carol')])
    expect([...shared]).toEqual(['ada'])
    expect(isShared(shared, 'ADA')).toBe(true)
    expect(isShared(shared, 'Carol')).toBe(false)
  })

  it('treats runs of spaces inside a name as one', () => {
    expect(nameKey('Ada  Lovelace')).toBe(nameKey('ada lovelace'))
    expect(isShared(sharedNames([p('a', 'Ada  Lovelace'), p('b', 'Ada Lovelace')]), 'ada lovelace')).toBe(true)
  })

  it('counts a person once, however often they appear', () => {
    // A member who also wrote messages: one person, not two sharing a name.
    expect(sharedNames([p('a', 'Ada'), p('a', 'Ada'), p('a', 'ada')]).size).toBe(0)
  })

  it('takes the last name given for a person (a rename seen in messages before the member list)', () => {
    const people = [p('a', 'Ada'), p('b', 'Bob'), p('a', 'Bob')]
    expect([...sharedNames(people)]).toEqual(['bob'])
    expect(isShared(sharedNames(people), 'Ada')).toBe(false)
  })

  it('never counts people with no name as sharing one', () => {
    const shared = sharedNames([p('a', ''), p('b', ''), p('c', '  ')])
    expect(shared.size).toBe(0)
    expect(isShared(shared, '')).toBe(false)
  })

  it('tells apart names that only look alike in another script', () => {
    // Latin "A" and Cyrillic "А": different names, no fingerprint (the name rule allows both).
    expect(sharedNames([p('a', 'Ada'), p('b', 'Аda')]).size).toBe(0)
  })
})

describe('roomLabel', () => {
  it('marks a room with "#", and names a direct conversation after the person alone', () => {
    expect(roomLabel({ name: 'plans' })).toBe('# plans')
    expect(roomLabel({ name: 'Bob', direct: true })).toBe('Bob')
  })
})

