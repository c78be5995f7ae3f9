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
