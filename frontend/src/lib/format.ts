/** Numbers as people read them: grouped the way their language writes them. */

const formats = new Map<string, Intl.NumberFormat>()

/** A count for people to read: 100000 is "100,000" in English, "100.000" in German. */
export function formatCount(n: number, locale?: string): string {
  const key = locale ?? ''
  let f = formats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })
    formats.set(key, f)
  }
  return f.format(n)
}

/** A count and its noun, singular for one: "1 message", "1,204 messages". */
export function countOf(n: number, one: string, many: string, locale?: string): string {
  return `${formatCount(n, locale)} ${n === 1 ? one : many}`
}

/**
 * A count on a badge, where room is short: at most three digits, "999+"
 * beyond (the node counts unread messages up to 1,000).
 */
export function badgeCount(n: number, locale?: string): string {
  return n > 999 ? `${formatCount(999, locale)}+` : formatCount(n, locale)
}

/**
 * A file's size as a file manager writes it: "812 bytes", "340 KB",
 * "12.5 MB" (units of 1,024, as the node's own messages count them).
 */
export function formatSize(bytes: number, locale?: string): string {
  if (bytes < 1024) return countOf(bytes, 'byte', 'bytes', locale)
  const units = ['KB', 'MB', 'GB']
  let n = bytes / 1024
  let unit = 0
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024
    unit++
  }
  const digits = n < 10 ? 1 : 0
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n)} ${units[unit]}`
}
