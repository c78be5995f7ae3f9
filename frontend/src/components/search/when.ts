/** A result's time, short: "Today 14:03", "Yesterday 09:12", "Mon 3 Nov 18:40", "3 Nov 2025 18:40". */
export function shortWhen(ms: number, now = new Date()): string {
  const d = new Date(ms)
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime()
  const startOfDay = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
  // Calendar days, counted so that a change to or from summer time does not skew them.
  const daysAgo = Math.round((startOfToday - startOfDay) / 86_400_000)
  if (daysAgo === 0) return `Today ${time}`
  if (daysAgo === 1) return `Yesterday ${time}`
  if (daysAgo > 1 && daysAgo < 7) return `${d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' })} ${time}`
  if (d.getFullYear() === now.getFullYear()) return `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' })} ${time}`
}

/** The full date and time, for a tooltip. */
export function fullWhen(ms: number): string {
  return new Date(ms).toLocaleString([], { dateStyle: 'full', timeStyle: 'short' })
}
