import { describe, expect, it } from 'vitest'
import { actionsOn } from './roles'

describe('roles: what the user may do to a member', () => {
  const member = { me: false, role: 'member' as const }
  const moderator = { me: false, role: 'moderator' as const }
  const owner = { me: false, role: 'owner' as const }

  it('the owner sets roles and removes anyone but themselves', () => {
    expect(actionsOn('owner', member)).toEqual(['moderator', 'owner', 'remove'])
    expect(actionsOn('owner', moderator)).toEqual(['member', 'owner', 'remove'])
    expect(actionsOn('owner', { me: true, role: 'owner' })).toEqual([])
  })

  it('a moderator removes plain members only', () => {
    expect(actionsOn('moderator', member)).toEqual(['remove'])
    expect(actionsOn('moderator', moderator)).toEqual([])
    expect(actionsOn('moderator', owner)).toEqual([])
  })

  it('a member, and anyone in an open room, does nothing to others', () => {
    expect(actionsOn('member', member)).toEqual([])
    expect(actionsOn('', { me: false, role: '' })).toEqual([])
  })
})
