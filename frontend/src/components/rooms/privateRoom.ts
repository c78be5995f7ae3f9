// A private room in plain words: who may invite, what state a join by
// link is in, and the choices of an invite link. Shared by the room
// header, its menu, the member list, the invite dialog and the composer.
import type { JoinRefusal, Room } from '@/api'

type RoomState = Pick<Room, 'private' | 'myRole' | 'pending' | 'removed' | 'refused'> & Partial<Pick<Room, 'direct'>>

/**
 * The owner and moderators of a private room invite people; nobody else
 * does. A direct conversation is two people's: nobody invites.
 */
export function canInvite(room: RoomState): boolean {
  return room.private && !room.direct && !room.pending && !room.removed && (room.myRole === 'owner' || room.myRole === 'moderator')
}

/**
 * Only the owner and moderators rename a private room or set its topic;
 * anyone in an open one. A direct conversation is named after the other
 * person and has no topic.
 */
export function canChangeRoom(room: RoomState): boolean {
  return !room.private || canInvite(room)
}

/** Said to a member who may not invite. */
export const whoInvites = 'Only the owner and moderators can invite people to this room.'

/** Why a member turned a join by link away, as the room says it. */
export const refusalText: Record<JoinRefusal, string> = {
  expired: 'This invite link has expired; ask for a new one.',
  revoked: 'This invite link was revoked; ask for a new one.',
  usedUp: 'This invite link has been used as many times as it allows; ask for a new one.',
  removed: 'You were removed from this room after this link was made; ask the owner or a moderator if you may come back.',
  unknown: 'This room does not know this invite link; ask for a new one.',
}

/**
 * Where a private room joined by link stands, for its banner: waiting to be
 * let in, turned away, or removed since. null when you are in it (or it is
 * an open room).
 */
export type Standing = { kind: 'pending' } | { kind: 'refused'; text: string } | { kind: 'removed' }

export function standingOf(room: RoomState): Standing | null {
  if (!room.private) return null
  if (room.pending && room.refused) return { kind: 'refused', text: refusalText[room.refused] ?? refusalText.unknown }
  if (room.pending) return { kind: 'pending' }
  if (room.removed) return { kind: 'removed' }
  return null
}

/** Why the composer of a private room takes no message; '' when it does. */
export function writeBlocked(room: RoomState): string {
  const standing = standingOf(room)
  if (!standing) return ''
  if (standing.kind === 'pending') return 'You can write here once a member lets you in.'
  if (standing.kind === 'removed') return 'You were removed from this room: you can read what was here, not write.'
  return standing.text
}

/** How long a new invite link lets people in: hours, 0 until revoked. */
export const expiryChoices = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 168, label: '7 days' },
  { hours: 0, label: 'Never' },
] as const
export const defaultExpiryHours = 168

/** How many people a new invite link lets in: 0 any number. */
export const usesChoices = [
  { uses: 0, label: 'Any number of people' },
  { uses: 1, label: '1 person' },
  { uses: 5, label: '5 people' },
  { uses: 10, label: '10 people' },
  { uses: 25, label: '25 people' },
  { uses: 100, label: '100 people' },
] as const

const hourMs = 3_600_000
const dayMs = 24 * hourMs

/** When an invitation stops letting people in, in words: "Expires in 6 days", "Never expires". */
export function expiryText(expiresAt: number, now: number): string {
  if (!expiresAt) return 'Never expires'
  const left = expiresAt - now
  if (left <= 0) return 'Expired'
  if (left < hourMs) return `Expires in ${Math.max(1, Math.round(left / 60_000))} min`
  if (left < dayMs) {
    const h = Math.round(left / hourMs)
    return `Expires in ${h} ${h === 1 ? 'hour' : 'hours'}`
  }
  const d = Math.round(left / dayMs)
  return `Expires in ${d} ${d === 1 ? 'day' : 'days'}`
}

/** How much of an invitation is used: "2 of 5 used", "3 joined, no limit". */
export function usesText(used: number, uses: number): string {
  if (uses === 0) return used === 0 ? 'Nobody joined yet; no limit' : `${used} joined; no limit`
  return `${used} of ${uses} used`
}
