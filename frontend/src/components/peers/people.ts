// What can be done to another person from wherever they are listed (a
// member list, a profile): message them, block or unblock them. Roles in
// a private room are roles.ts's.
import type { MenuItem } from '@/components/base/BaseMenu.vue'
import { displayName } from '@/lib/names'
import { actionLabels, actionsOn, type MemberAction } from './roles'
import type { Member, Role } from '@/api'

/** Message: the direct conversation with them. Block asks first; Unblock does not. */
export type PersonAction = 'message' | 'block' | 'unblock'

export interface MenuContext {
  /** The user's role in the room (private rooms), '' elsewhere. */
  myRole: Role
  /** The room is the direct conversation with them: Message would lead where the user is. */
  direct: boolean
  /** The user blocked them. */
  blocked: boolean
}

/**
 * A member's menu, in order: Message, the role actions the user's role
 * allows, then Block (or Unblock). Nothing on yourself.
 */
export function memberMenu(m: Pick<Member, 'me' | 'role' | 'name'>, ctx: MenuContext): MenuItem[] {
  if (m.me) return []
  const items: MenuItem[] = []
  if (!ctx.direct) items.push({ id: 'message', label: 'Message' })
  for (const id of actionsOn(ctx.myRole, m)) {
    items.push({ id, label: actionLabels[id], danger: id === 'remove', separated: id === 'remove' })
  }
  const name = displayName(m.name)
  const afterRemove = items[items.length - 1]?.id === 'remove'
  items.push(
    ctx.blocked
      ? { id: 'unblock', label: `Unblock ${name}`, separated: !afterRemove && items.length > 0 }
      : { id: 'block', label: `Block ${name}…`, separated: !afterRemove && items.length > 0 },
  )
  return items
}

export const isPersonAction = (a: MemberAction | PersonAction): a is PersonAction => a === 'message' || a === 'block' || a === 'unblock'
