/**
 * People are shown by their names. A fingerprint (the short ID) goes beside
 * a name only where two people in view share it: elsewhere it is noise, and
 * the profile card and Connection details always show it.
 */

/** What someone with no name is called, wherever people are listed. */
export const nameless = 'Someone'

/** A name as lists show it: the name itself, or "Someone". */
export function displayName(name: string | null | undefined): string {
  return name?.trim() || nameless
}

/**
 * The form in which two names count as the same: spaces trimmed and runs of
 * them made one, case folded. '' for no name (nobody is told apart by it).
 */
export function nameKey(name: string | null | undefined): string {
  return (name ?? '').normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase()
}

/** Someone who may appear in a list: their peer ID and the name they go by. */
export interface Named {
  peerId: string
  name: string
}

/**
 * The names (as nameKey gives them) that two or more different people go
 * by. Where one person comes more than once (a member and the author of
 * messages), the last name given for them counts: pass the freshest source
 * last.
 */
export function sharedNames(people: Iterable<Named>): ReadonlySet<string> {
  const nameOf = new Map<string, string>()
  for (const p of people) nameOf.set(p.peerId, nameKey(p.name))
  const count = new Map<string, number>()
  for (const key of nameOf.values()) if (key) count.set(key, (count.get(key) ?? 0) + 1)
  return new Set([...count].filter(([, n]) => n > 1).map(([key]) => key))
}

/** Whether a name needs its fingerprint beside it: someone else in view goes by it too. */
export function isShared(shared: ReadonlySet<string>, name: string | null | undefined): boolean {
  return shared.size > 0 && shared.has(nameKey(name))
}

/**
 * A room as lists name it: "# plans" for a room, the person's name alone
 * for a direct conversation (it is named after them).
 */
export function roomLabel(room: { name: string; direct?: boolean }): string {
  return room.direct ? room.name : `# ${room.name}`
}

