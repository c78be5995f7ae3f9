import { countOf } from '@/lib/format'
import { displayName } from '@/lib/names'
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

/** The author as the list names them: "You" for your own, "Someone" for no name (never a fingerprint). */
export function authorLabel(m: ShownMessage): string {
  return m.mine ? 'You' : displayName(m.authorName)
}

/**
 * A change to the room as one line: "Ada renamed the room to Plans". A
 * private room's membership change comes worded by the node ("Ada removed
 * Bob") and is shown as it is.
 */
export function systemText(m: ShownMessage): string {
  if (m.kind === 'member') return m.text
  const who = authorLabel(m)
  if (m.kind === 'roomName') return `${who} renamed the room to ${m.text}`
  if (m.kind === 'roomTopic') return m.text ? `${who} set the topic: ${m.text}` : `${who} cleared the topic`
  if (m.kind === 'roomNearby') return m.text === 'on' ? `${who} made the room visible on this network` : `${who} made the room invite only`
  return m.text
}

/** The time of day beside a message: "06:22 PM", "18:22". */
export function clockTime(ms: number, locale?: string): string {
  return new Date(ms).toLocaleTimeString(locale ?? [], { hour: '2-digit', minute: '2-digit' })
}

const hourFormats = new Map<string, Intl.DateTimeFormat>()
function hoursMinutes(locale?: string): Intl.DateTimeFormat {
  let f = hourFormats.get(locale ?? '')
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' })
    hourFormats.set(locale ?? '', f)
  }
  return f
}

/**
 * The time in the narrow gutter of a message that continues a group:
 * hours and minutes only ("6:22", "18:22"). The group's first message,
 * at most a few minutes earlier, shows AM or PM; the tooltip has it all.
 */
export function gutterTime(ms: number, locale?: string): string {
  const parts = hoursMinutes(locale).formatToParts(new Date(ms))
  const at = parts.findIndex((p) => p.type === 'hour')
  const end = parts.findIndex((p) => p.type === 'minute')
  if (at < 0 || end < at) return clockTime(ms, locale)
  return parts
    .slice(at, end + 1)
    .map((p) => p.value)
    .join('')
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
    if (m.kind !== 'text' && m.kind !== 'file') {
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

/** "Jump to latest" says how many new messages wait below: "3 new messages", or "New messages" when the count is not known. */
export function latestLabel(newCount: number, newBelow: boolean): string {
  if (newCount > 0) return countOf(newCount, 'new message', 'new messages')
  return newBelow ? 'New messages' : ''
}

/**
 * Where a key moves the focus among count messages from the one at index
 * at: the index to focus, or null for a key that does not move it.
 */
export function arrowTarget(key: string, at: number, count: number): number | null {
  switch (key) {
    case 'ArrowDown':
      return Math.min(at + 1, count - 1)
    case 'ArrowUp':
      return Math.max(at - 1, 0)
    case 'Home':
      return 0
    case 'End':
      return count - 1
    default:
      return null
  }
}
