// Who can join a room, in plain words: shared by the create dialog, the
// room header and the room's "Who can join" settings.
import type { Room } from '@/api'

/**
 * invite: only an invite link lets someone in. nearby: people on this
 * network also see it under Nearby and can join from there. legacy: made by
 * an older Parley, anyone who has its ID can join. private: only people the
 * owner or a moderator invites join, and only members read it.
 */
export type Access = 'invite' | 'nearby' | 'legacy' | 'private'

export function accessOf(room: Pick<Room, 'nearby' | 'legacy'> & Partial<Pick<Room, 'private'>>): Access {
  if (room.private) return 'private'
  if (room.legacy) return 'legacy'
  return room.nearby ? 'nearby' : 'invite'
}

/** The short label in the room header, and a sentence more for its tooltip. */
export const accessLabels: Record<Access, { text: string; detail: string }> = {
  invite: { text: 'Invite only', detail: 'Only people with an invite link can join.' },
  nearby: { text: 'Visible on this network', detail: 'People on your network see it under Nearby and can join; invite links work too.' },
  legacy: { text: 'Anyone with its ID', detail: 'Made by an older Parley: anyone who has its ID can join.' },
  private: { text: 'Private', detail: 'Only its members can read it; the owner and moderators invite people.' },
}

/** The two choices of the "Who can join" radio group. */
export const joinChoices = [
  { nearby: false, label: 'Anyone with an invite link', hint: 'Only people who get an invite link from someone in the room can join.' },
  { nearby: true, label: 'People on this network can find it too', hint: 'It shows under Nearby for people on your local network, who can join without a link.' },
] as const

/** The third choice of a new room: private. */
export const privateChoice = {
  label: 'Only people you invite (private)',
  hint: 'Only its members can read it. You and the moderators you choose make invite links, which can expire.',
} as const

/** The first choice's hint for a room made by an older Parley. */
export const legacyHint = 'Not shown under Nearby, but anyone who has its ID can still join.'
