import { describe, expect, it } from 'vitest'
import { mentionAt } from './useMentions'

describe('mentionAt', () => {
  it('finds the @ at a word start and what follows it up to the caret', () => {
    expect(mentionAt('hi @Bo', 6)).toEqual({ at: 3, query: 'Bo' })
    expect(mentionAt('@', 1)).toEqual({ at: 0, query: '' })
    expect(mentionAt('(@Ad', 4)).toEqual({ at: 1, query: 'Ad' })
  })

  it('is no mention inside a word, after a space, on an earlier line or far back', () => {
    expect(mentionAt('mail@host', 9)).toBeNull()
    expect(mentionAt('@ Bob', 5)).toBeNull()
    expect(mentionAt('@Bob\nhi', 7)).toBeNull()
    expect(mentionAt(`@${'x'.repeat(45)}`, 46)).toBeNull()
  })
})
