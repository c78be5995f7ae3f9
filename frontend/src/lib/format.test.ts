import { describe, expect, it } from 'vitest'
import { badgeCount, countOf, formatCount, formatSize } from './format'

describe('formatCount', () => {
  it('groups digits the way the language writes them', () => {
    expect(formatCount(8960, 'en-US')).toBe('8,960')
    expect(formatCount(100_000, 'en-US')).toBe('100,000')
    expect(formatCount(100_000, 'de-DE')).toBe('100.000')
    expect(formatCount(100_000, 'fr-FR')).toMatch(/^100\s000$/) // a narrow no-break space
  })

  it('leaves small numbers as they are', () => {
    expect(formatCount(0, 'en-US')).toBe('0')
    expect(formatCount(999, 'en-US')).toBe('999')
  })

  it("uses the user's language when none is given", () => {
    expect(formatCount(1234)).toBe(new Intl.NumberFormat().format(1234))
  })
})

describe('countOf', () => {
  it('says one in the singular and any other count in the plural', () => {
    expect(countOf(1, 'message', 'messages', 'en-US')).toBe('1 message')
    expect(countOf(0, 'message', 'messages', 'en-US')).toBe('0 messages')
    expect(countOf(1204, 'message', 'messages', 'en-US')).toBe('1,204 messages')
  })
})

describe('badgeCount', () => {
  it('shows up to three digits, "999+" beyond', () => {
    expect(badgeCount(7, 'en-US')).toBe('7')
    expect(badgeCount(999, 'en-US')).toBe('999')
    expect(badgeCount(1000, 'en-US')).toBe('999+')
  })
})

describe('formatSize', () => {
  it('writes sizes as a file manager does', () => {
    expect(formatSize(812, 'en')).toBe('812 bytes')
    expect(formatSize(1, 'en')).toBe('1 byte')
    expect(formatSize(340 * 1024, 'en')).toBe('340 KB')
    expect(formatSize(5.25 * 1024 * 1024, 'en')).toBe('5.3 MB')
    expect(formatSize(2 * 1024 ** 3, 'en')).toBe('2 GB')
  })
})
