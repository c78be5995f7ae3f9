import type { ShownMessage } from '@/stores/messages'

/**
 * One line of the message list: a day heading, the unread divider, a
 * message, or a change to the room (a rename, a new topic, who can join)
 * told in a line.
 */
export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'unread'; key: string }
  | { kind: 'message'; key: string; message: ShownMessage; continued: boolean }
  | { kind: 'system'; key: string; message: ShownMessage; text: string }

/** Messages closer than this from the same author share one header. */
const groupGapMs = 5 * 60 * 1000

function dayKey(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`
}

export function dayLabel(ms: number, now: Date): string {
  const key = dayKey(ms)
  if (key === dayKey(now.getTime())) return 'Today'
  if (key === dayKey(now.getTime() - 86_400_000)) return 'Yesterday'
  return new Date(ms).toLocaleDateString([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })
}

/** The author as the list names them: "You" for your own. */
export function authorLabel(m: ShownMessage): string {
  return m.mine ? 'You' : m.authorName || m.authorShort || 'Someone'
}

/** A change to the room as one line: "Ada renamed the room to Plans". */
export function systemText(m: ShownMessage): string {
  const who = authorLabel(m)
  if (m.kind === 'roomName') return `${who} renamed the room to ${m.text}`
  if (m.kind === 'roomTopic') return m.text ? `${who} set the topic: ${m.text}` : `${who} cleared the topic`
  if (m.kind === 'roomNearby') return m.text === 'on' ? `${who} made the room visible on this network` : `${who} made the room invite only`
  return m.text
}

/** The full date and time, for a time's tooltip: "Monday, 3 November 2026 at 09:41". */
export function fullTime(ms: number): string {
  return new Date(ms).toLocaleString([], { dateStyle: 'full', timeStyle: 'short' })
}

/**
 * Lays messages out for display: a heading at each new day, the unread
 * divider before firstUnreadId, and "continued" on a message from the same
 * author as the one just above, within a few minutes, on the same day.
 * Changes to the room (name, topic, who can join) become lines of their own
 * and end a group.
 */
export function buildRows(items: readonly ShownMessage[], firstUnreadId: string | null, now = new Date()): Row[] {
  const rows: Row[] = []
  let prev: ShownMessage | null = null
  let lastDay = ''
  for (const m of items) {
    const newDay = lastDay !== dayKey(m.sentAt)
    if (newDay) rows.push({ kind: 'day', key: `day-${dayKey(m.sentAt)}`, label: dayLabel(m.sentAt, now) })
    const unread = m.id === firstUnreadId
    if (unread) rows.push({ kind: 'unread', key: 'unread' })
    if (m.kind !== 'text') {
      rows.push({ kind: 'system', key: m.id, message: m, text: systemText(m) })
      prev = null // the next message starts a group of its own
      lastDay = dayKey(m.sentAt)
      continue
    }
    const continued =
      !!prev && !newDay && !unread && prev.author === m.author && m.sentAt - prev.sentAt < groupGapMs
    rows.push({ kind: 'message', key: m.id, message: m, continued })
    prev = m
    lastDay = dayKey(m.sentAt)
  }
  return rows
}
