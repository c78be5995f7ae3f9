// Roles in a private room, and what the user's role lets them do to
// another member: the owner sets roles and removes anyone, a moderator
// removes plain members, a member does neither.
import type { Member, Role } from '@/api'

/** The badge beside a name; a plain member has none. */
export const roleLabels: Record<Role, string> = { owner: 'Owner', moderator: 'Moderator', member: '', '': '' }

/**
 * What can be done to a member: give a role, or remove them. 'owner' and
 * 'remove' ask first (the owner becomes a moderator; a removal cannot be
 * taken back).
 */
export type MemberAction = 'moderator' | 'member' | 'owner' | 'remove'

export const actionLabels: Record<MemberAction, string> = {
  moderator: 'Make moderator',
  member: 'Make member',
  owner: 'Make owner…',
  remove: 'Remove from room…',
}

/** The actions the user's role (myRole) allows on member m, in menu order. */
export function actionsOn(myRole: Role, m: Pick<Member, 'me' | 'role'>): MemberAction[] {
  if (m.me || !m.role) return []
  if (myRole === 'owner') {
    if (m.role === 'owner') return [] // there is one owner: you
    return [m.role === 'moderator' ? 'member' : 'moderator', 'owner', 'remove']
  }
  if (myRole === 'moderator' && m.role === 'member') return ['remove']
  return []
}

/** Whether an action asks before it runs. */
export const asksFirst = (a: MemberAction): a is 'owner' | 'remove' => a === 'owner' || a === 'remove'
