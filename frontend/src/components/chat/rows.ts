import type { ShownMessage } from '@/stores/messages'

/** One line of the message list: a day heading, the unread divider or a message. */
export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'unread'; key: string }
  | { kind: 'message'; key: string; message: ShownMessage; continued: boolean }

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

/**
 * Lays messages out for display: a heading at each new day, the unread
 * divider before firstUnreadId, and "continued" on a message from the same
 * author as the one just above, within a few minutes, on the same day.
 */
export function buildRows(items: readonly ShownMessage[], firstUnreadId: string | null, now = new Date()): Row[] {
  const rows: Row[] = []
  let prev: ShownMessage | null = null
  for (const m of items) {
    const newDay = !prev || dayKey(prev.sentAt) !== dayKey(m.sentAt)
    if (newDay) rows.push({ kind: 'day', key: `day-${dayKey(m.sentAt)}`, label: dayLabel(m.sentAt, now) })
    const unread = m.id === firstUnreadId
    if (unread) rows.push({ kind: 'unread', key: 'unread' })
    const continued =
      !!prev && !newDay && !unread && prev.author === m.author && m.sentAt - prev.sentAt < groupGapMs
    rows.push({ kind: 'message', key: m.id, message: m, continued })
    prev = m
  }
  return rows
}
