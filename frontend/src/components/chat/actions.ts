import type { Message } from '@/api'

/** What the user can do with a message, from its toolbar or its menu. */
export type MessageAction = 'reply' | 'react' | 'edit' | 'delete' | 'copyText' | 'copyLink'

export interface ActionItem {
  action: MessageAction
  label: string
}

/** The link that opens a message in Parley. */
export function messageLink(roomId: string, messageId: string): string {
  return `parley://message/${roomId}/${messageId}`
}

/**
 * The actions a message offers, in menu order: a deleted message only its
 * link; editing only for your own, deleting for your own and, where you
 * may remove others' (the owner or a moderator of a private room), for
 * any text.
 */
export function actionsFor(m: Message, canRemove = false): ActionItem[] {
  if (m.deleted) return [{ action: 'copyLink', label: 'Copy link' }]
  const items: ActionItem[] = [
    { action: 'reply', label: 'Reply' },
    { action: 'react', label: 'React' },
  ]
  if (m.mine && m.kind === 'text') items.push({ action: 'edit', label: 'Edit' })
  if (m.mine || (canRemove && (m.kind === 'text' || m.kind === 'file'))) items.push({ action: 'delete', label: 'Delete' })
  items.push({ action: 'copyText', label: 'Copy text' }, { action: 'copyLink', label: 'Copy link' })
  return items
}
