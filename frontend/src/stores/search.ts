import { defineStore } from 'pinia'
import { computed, readonly, ref, shallowRef, type Ref } from 'vue'
import { api, errorText, type Message, type Room } from '@/api'

/** How long typing must pause before a search goes out. */
export const searchDelayMs = 200

/** How many results the search panel asks for. */
export const panelLimit = 50

/** Where a parley://message/ link points. */
export interface MessageLink {
  roomId: string
  messageId: string
}

const messageLink = /^parley:\/\/message\/([0-9a-f]{64})\/([0-9a-f]{64})\/?$/i

/**
 * Reads a link to a message, `parley://message/<roomId>/<messageId>`, as
 * copied from a message's menu; null for anything else. Spaces around it
 * and angle brackets (as some chat apps wrap links) are ignored.
 */
export function parseMessageLink(text: string): MessageLink | null {
  const m = messageLink.exec(text.trim().replace(/^<(.*)>$/, '$1'))
  if (!m) return null
  return { roomId: m[1]!.toLowerCase(), messageId: m[2]!.toLowerCase() }
}

/** idle: nothing asked; searching: an answer is awaited; done: results hold it; error: see error. */
export type SearchStatus = 'idle' | 'searching' | 'done' | 'error'

export interface LiveSearchOptions {
  limit: number
  /** Shorter queries are not sent (results clear). */
  minLength?: number
  delayMs?: number
}

/** A search that follows what the user types. */
export interface LiveSearch {
  /** The query the results (or the error) answer. */
  readonly answered: Readonly<Ref<string>>
  readonly results: Readonly<Ref<readonly Message[]>>
  readonly status: Readonly<Ref<SearchStatus>>
  readonly error: Readonly<Ref<string>>
  /** Searches for query in roomId ('' = every room) once typing pauses. */
  input(query: string, roomId: string): void
  /** Searches at once, without waiting for a pause. */
  now(query: string, roomId: string): Promise<void>
  /** Drops the pending search and any answer still on its way. */
  cancel(): void
}

/** The one sentence a failed search shows; the detail goes to the log. */
function failure(err: unknown): string {
  const detail = errorText(err).trim().replace(/[.\s]+$/, '')
  console.warn('search failed:', detail)
  return detail ? `Search failed (${detail}); change the words or try again.` : 'Search failed; try again.'
}

/**
 * Search as you type: each change waits for a pause in typing, and an
 * answer to anything but the newest query is dropped, so the results
 * always belong to what the input shows, whatever order answers come in.
 */
export function createLiveSearch(opts: LiveSearchOptions): LiveSearch {
  const delay = opts.delayMs ?? searchDelayMs
  const minLength = opts.minLength ?? 1
  const answered = ref('')
  const results = shallowRef<readonly Message[]>([])
  const status = ref<SearchStatus>('idle')
  const error = ref('')
  let latest = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  function cancel(): void {
    clearTimeout(timer)
    timer = undefined
    latest++
  }

  function clear(): void {
    cancel()
    answered.value = ''
    results.value = []
    status.value = 'idle'
    error.value = ''
  }

  async function now(query: string, roomId: string): Promise<void> {
    const q = query.trim()
    if (q.length < minLength) return clear()
    cancel()
    const mine = latest
    status.value = 'searching'
    try {
      const found = await api.search(q, roomId, opts.limit)
      if (mine !== latest) return
      results.value = found ?? [] // nothing found may come back as null
      error.value = ''
      status.value = 'done'
    } catch (err) {
      if (mine !== latest) return
      results.value = []
      error.value = failure(err)
      status.value = 'error'
    }
    answered.value = q
  }

  function input(query: string, roomId: string): void {
    if (query.trim().length < minLength) return clear()
    cancel()
    // "Searching…" at once: the old results no longer answer what is typed.
    status.value = 'searching'
    timer = setTimeout(() => void now(query, roomId), delay)
  }

  return {
    answered: readonly(answered),
    results: readonly(results) as Readonly<Ref<readonly Message[]>>,
    status: readonly(status),
    error: readonly(error),
    input,
    now,
    cancel,
  }
}

/** Where the search panel looks: the open room or every room. */
export type SearchScope = 'room' | 'all'

/**
 * The search panel's state. It outlives the panel, so that closing it to
 * read a result and opening it again (Ctrl+F) brings the same results back.
 */
export const useSearchStore = defineStore('search', () => {
  const query = ref('')
  const scope = ref<SearchScope>('all')
  /** The room "This room" means; null when no room is open. */
  const roomId = ref<string | null>(null)
  /** The result opened last, so that it stays selected when the panel comes back. */
  const openedId = ref<string | null>(null)
  const live = createLiveSearch({ limit: panelLimit })

  /** A pasted message link is offered as "Go to message" instead of searched. */
  const link = computed(() => parseMessageLink(query.value))
  const target = computed(() => (scope.value === 'room' && roomId.value ? roomId.value : ''))

  function run(immediately = false): void {
    if (link.value) {
      live.cancel()
      return
    }
    if (immediately) void live.now(query.value, target.value)
    else live.input(query.value, target.value)
  }

  function setQuery(q: string): void {
    if (q === query.value) return
    query.value = q
    run()
  }

  function setScope(s: SearchScope): void {
    if (s === scope.value) return
    scope.value = s
    run(true)
  }

  /** The room open in the chat; "This room" follows it. */
  function setRoom(id: string | null): void {
    if (id === roomId.value) return
    roomId.value = id
    if (!id && scope.value === 'room') scope.value = 'all'
    if (scope.value === 'room') run(true)
  }

  function opened(messageId: string): void {
    openedId.value = messageId
  }

  return {
    query: readonly(query),
    scope: readonly(scope),
    roomId: readonly(roomId),
    openedId: readonly(openedId),
    link,
    answered: live.answered,
    results: live.results,
    status: live.status,
    error: live.error,
    setQuery,
    setScope,
    setRoom,
    opened,
    /** Searches again now, as after a failure. */
    retry: () => run(true),
    /** Searches again now for the query there is, if any (the panel opens again). */
    refresh: () => {
      if (query.value.trim()) run(true)
    },
  }
})

/** Someone you share a room with, as the quick switcher lists them. */
export interface SwitcherPerson {
  peerId: string
  name: string
  shortId: string
  /** A room you share with them (the first in the room list). */
  roomId: string
}

/**
 * Everyone in the given rooms but you, each once, with the first room (in
 * the order given) you share. A room whose members cannot be read is
 * skipped: the rest still show.
 */
export async function gatherPeople(rooms: readonly Room[]): Promise<SwitcherPerson[]> {
  const lists = await Promise.all(rooms.map((r) => api.members(r.id).catch(() => [])))
  const seen = new Map<string, SwitcherPerson>()
  lists.forEach((list, i) => {
    for (const m of list) {
      if (m.me || seen.has(m.peerId)) continue
      seen.set(m.peerId, { peerId: m.peerId, name: m.name, shortId: m.shortId, roomId: rooms[i]!.id })
    }
  })
  return [...seen.values()]
}
