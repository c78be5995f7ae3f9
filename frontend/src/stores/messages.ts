import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { api, errorText, type FileProgress, type Me, type Message, type ReplyPreview, type Room } from '@/api'

/** How many messages a room view loads at a time. */
export const pageSize = 100

/**
 * The most messages a view keeps while it follows the newest: older ones
 * are dropped from the top (and paged in again on scroll), so a big
 * catch-up never grows the list without bound.
 */
export const followLimit = 3 * pageSize

/** A message as shown: an unsent one keeps the reason it failed. */
export interface ShownMessage extends Message {
  error?: string
}

/** The loaded stretch of one room's history. */
export interface RoomView {
  items: ShownMessage[]
  hasOlder: boolean
  hasNewer: boolean
  /** The unread divider goes before this message; fixed when the room opens. */
  firstUnreadId: string | null
  loading: boolean
  /** The user is at the newest message: new ones scroll into view. */
  following: boolean
  /** Newer messages came in while the user was reading further up. */
  newBelow: boolean
  /** How many new messages came in below while the user read further up (0 when unknown). */
  newCount: number
  /** The message the list scrolls to and marks for a moment (a jump to a reply's original, a search hit). */
  highlightId: string | null
}

/** A new view of a room, before anything is loaded. */
function emptyView(over: Partial<RoomView> = {}): RoomView {
  return {
    items: [],
    hasOlder: false,
    hasNewer: false,
    firstUnreadId: null,
    loading: true,
    following: true,
    newBelow: false,
    newCount: 0,
    highlightId: null,
    ...over,
  }
}

/** How much of a message a reply quotes. */
const previewChars = 200

/** What a reply shows of the message it answers, as that message is now. */
function previewOf(m: Message): ReplyPreview {
  return {
    id: m.id,
    authorName: m.authorName,
    authorShort: m.authorShort,
    text: m.deleted ? '' : m.text.slice(0, previewChars),
    deleted: m.deleted,
    missing: false,
  }
}

function byOrder(a: Message, b: Message): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Where unsent messages are kept, so that a reload of the page keeps them too. */
const unsentKey = 'parley.unsent'

function restoreUnsent(): Record<string, ShownMessage[]> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(unsentKey) ?? '{}')
    if (!parsed || typeof parsed !== 'object') return {}
    const out: Record<string, ShownMessage[]> = {}
    for (const [room, list] of Object.entries(parsed as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue
      // A send cut short by the reload may or may not have gone through:
      // offer it again rather than sending it twice.
      out[room] = (list as ShownMessage[]).map((m) =>
        m.state === 'failed' ? m : { ...m, state: 'failed', error: 'the app closed before it was sent' },
      )
    }
    return out
  } catch {
    return {}
  }
}

export const useMessagesStore = defineStore('messages', () => {
  const views = ref<Record<string, RoomView>>({})
  /**
   * Own messages not yet stored, by room: those being sent and those that
   * failed. They live apart from the loaded history, which is replaced on
   * every reload, until they are sent or the user discards them.
   */
  const unsent = ref<Record<string, ShownMessage[]>>(restoreUnsent())
  // Written at once: the page may close right after.
  watch(unsent, (u) => localStorage.setItem(unsentKey, JSON.stringify(u)), { deep: true, flush: 'sync' })

  /** The newest load or refresh asked for, per room: older answers are dropped. */
  const latest = new Map<string, number>()
  function ask(roomId: string): number {
    const n = (latest.get(roomId) ?? 0) + 1
    latest.set(roomId, n)
    return n
  }

  /**
   * Messages that arrived while their room was loading, by room: the page
   * asked for may have been read before they were stored, so they join the
   * view once it is loaded (held to followLimit; past it, the view reloads).
   */
  const heldBack = new Map<string, Message[]>()

  function holdBack(roomId: string, list: readonly Message[]): void {
    const held = heldBack.get(roomId) ?? []
    held.push(...list)
    heldBack.set(roomId, held.length > followLimit ? held.slice(held.length - followLimit) : held)
  }

  /**
   * Messages added or changed in a room while a refresh of it was under
   * way, by room: the page it brings may have been read before them, and
   * would put back what they replaced. They are applied again, in the
   * order they came, once the page is in (any change newer than the page
   * comes as an event of its own).
   */
  const duringRefresh = new Map<string, { added: Message[]; changed: Message[] }>()

  function noteDuringRefresh(roomId: string, kind: 'added' | 'changed', list: readonly Message[]): void {
    const seen = duringRefresh.get(roomId)
    if (!seen) return
    seen[kind].push(...list)
    if (seen[kind].length > followLimit) seen[kind] = seen[kind].slice(seen[kind].length - followLimit)
  }

  /** Adds what arrived while a room loaded, once its load has landed. */
  function releaseHeld(roomId: string): void {
    const held = heldBack.get(roomId)
    heldBack.delete(roomId)
    if (held?.length) addMany(held)
  }

  /** Loads a room around where the user stopped reading. */
  async function open(room: Room): Promise<void> {
    // A jump into this room is under way (a search hit picked from another
    // room selects the room, which opens it): the jump's place wins.
    const jump = jumps.get(room.id)
    if (jump) return jump
    const mine = ask(room.id)
    views.value[room.id] = emptyView()
    const v = views.value[room.id]!
    try {
      if (room.unread > 0 && room.lastRead) {
        const newer = await api.historyAfter(room.id, room.lastRead, pageSize)
        const older = await api.history(room.id, newer[0]?.id ?? '', pageSize)
        if (latest.get(room.id) !== mine) return
        v.items = [...older, ...newer]
        v.firstUnreadId = newer[0]?.id ?? null
        v.hasOlder = older.length === pageSize
        v.hasNewer = newer.length === pageSize
        v.following = !v.hasNewer
      } else {
        const newest = await api.history(room.id, '', pageSize)
        if (latest.get(room.id) !== mine) return
        v.items = [...newest]
        v.hasOlder = newest.length === pageSize
        // Never read anything here: the divider goes before the unread tail.
        const unreadShown = Math.min(room.unread, newest.length)
        v.firstUnreadId = unreadShown > 0 ? newest[newest.length - unreadShown]!.id : null
      }
    } finally {
      v.loading = false
      if (latest.get(room.id) === mine) releaseHeld(room.id)
    }
  }

  /** Shows a room from its very first message. */
  async function openAtStart(roomId: string): Promise<void> {
    const mine = ask(roomId)
    const first = await api.historyAfter(roomId, '', pageSize)
    if (latest.get(roomId) !== mine) return
    views.value[roomId] = emptyView({
      items: first,
      hasNewer: first.length === pageSize,
      loading: false,
      following: first.length < pageSize,
    })
  }

  /** Jumps in progress, by room: a plain open of the room meanwhile waits for it instead. */
  const jumps = new Map<string, Promise<void>>()

  /**
   * Replaces a room's view with a stretch loaded by `load`, marking one of
   * its messages for the list to scroll to. A plain open of the room while
   * it runs waits for it, and an older jump's answer is dropped.
   */
  function jump(roomId: string, load: () => Promise<Partial<RoomView> | null>): Promise<void> {
    const mine = ask(roomId)
    const run = (async () => {
      const stretch = await load()
      if (latest.get(roomId) !== mine || !stretch) return
      // Reading back there: what arrives meanwhile waits below.
      views.value[roomId] = emptyView({ loading: false, following: false, ...stretch })
    })()
    jumps.set(roomId, run)
    const done = () => {
      if (jumps.get(roomId) === run) jumps.delete(roomId)
    }
    run.then(done, done)
    return run
  }

  /**
   * Shows a message in its context, however far back it is, and marks it
   * (highlightId) so the list scrolls to it. A message already loaded is
   * only marked.
   */
  function openAt(roomId: string, messageId: string): Promise<void> {
    const v = views.value[roomId]
    if (v && !v.loading && v.items.some((m) => m.id === messageId)) {
      v.highlightId = messageId
      return Promise.resolve()
    }
    return jump(roomId, async () => {
      // The messages before the target, then the target and those after it.
      const before = await api.history(roomId, messageId, pageSize / 2)
      const after = await api.historyAfter(roomId, before[before.length - 1]?.id ?? '', pageSize)
      return {
        items: [...before, ...after],
        hasOlder: before.length === pageSize / 2,
        hasNewer: after.length === pageSize,
        highlightId: messageId,
      }
    })
  }

  /**
   * Shows a room from a moment in time (unix ms): the first message sent
   * then or later is marked, or the last one before it if none came after.
   */
  function openAtTime(roomId: string, at: number): Promise<void> {
    return jump(roomId, async () => {
      const items = await api.historyAround(roomId, at, pageSize)
      let from = items.findIndex((m) => m.sentAt >= at)
      if (from < 0) from = items.length
      return {
        items,
        hasOlder: from >= pageSize / 2,
        hasNewer: items.length - from >= pageSize / 2,
        highlightId: items[Math.min(from, items.length - 1)]?.id ?? null,
        following: items.length - from < pageSize / 2,
      }
    })
  }

  /** The list has shown the marked message. */
  function clearHighlight(roomId: string): void {
    const v = views.value[roomId]
    if (v) v.highlightId = null
  }

  /**
   * Messages were stored in a room in bulk (a history sync) or may have
   * been missed: bring the loaded stretch up to date without moving the
   * user. A view that follows the newest shows the newest page; one the
   * user has scrolled up in stays put and learns that newer ones wait.
   */
  async function refresh(room: Room): Promise<void> {
    const v = views.value[room.id]
    // Still opening: open again, with what has arrived since. (Paging
    // under way is no reason: its answer is dropped if the stretch changes.)
    if (!v || (v.loading && v.items.length === 0)) return open(room)
    if (v.following && !v.hasNewer) {
      const mine = ask(room.id)
      const seen: { added: Message[]; changed: Message[] } = { added: [], changed: [] }
      duringRefresh.set(room.id, seen)
      let newest: Message[]
      try {
        newest = await api.history(room.id, '', pageSize)
      } finally {
        if (duringRefresh.get(room.id) === seen) duringRefresh.delete(room.id)
      }
      if (latest.get(room.id) !== mine || views.value[room.id] !== v) return
      if (!v.following) {
        // The user scrolled up meanwhile: their place stays.
        const last = v.items[v.items.length - 1]
        const end = newest[newest.length - 1]
        if (end && (!last || byOrder(end, last) > 0)) v.hasNewer = v.newBelow = true
        return
      }
      // The newest page holds every stored message from its first on: it
      // replaces the tail. What lay before it may have gaps now, so it goes.
      const states = new Map(v.items.filter((m) => m.state).map((m) => [m.id, m.state]))
      v.items = newest.map((m) => (states.has(m.id) ? { ...m, state: states.get(m.id) } : m))
      v.hasOlder = newest.length === pageSize
      addMany(seen.added)
      changeMany(seen.changed)
      return
    }
    if (v.hasNewer) return // newer messages already wait below the loaded stretch
    // Only a look at the newest message: it must not void a load under way.
    const asked = latest.get(room.id)
    const [newest] = await api.history(room.id, '', 1)
    if (latest.get(room.id) !== asked || views.value[room.id] !== v || !newest) return
    const last = v.items[v.items.length - 1]
    if (!last || byOrder(newest, last) > 0) {
      v.hasNewer = true
      v.newBelow = true
    }
  }

  /** Jumps to the newest message and follows new ones from there. */
  async function showLatest(roomId: string): Promise<void> {
    const v = views.value[roomId]
    if (!v) return
    v.newBelow = false
    v.newCount = 0
    if (!v.hasNewer) {
      v.following = true
      return
    }
    const mine = ask(roomId)
    const newest = await api.history(roomId, '', pageSize)
    if (latest.get(roomId) !== mine || views.value[roomId] !== v) return
    v.items = newest
    v.hasOlder = newest.length === pageSize
    v.hasNewer = false
    v.following = true
  }

  /** The message list reports whether the user is at the newest message. */
  function follow(roomId: string, following: boolean): void {
    const v = views.value[roomId]
    if (!v || v.following === following) return
    v.following = following
    if (following) {
      v.newBelow = false
      v.newCount = 0
    }
  }

  async function loadOlder(roomId: string): Promise<number> {
    const v = views.value[roomId]
    if (!v || v.loading || !v.hasOlder || v.items.length === 0) return 0
    const first = v.items[0]!.id
    v.loading = true
    try {
      const page = await api.history(roomId, first, pageSize)
      if (views.value[roomId] !== v || v.items[0]?.id !== first) return 0 // replaced meanwhile
      v.items.unshift(...page)
      v.hasOlder = page.length === pageSize
      return page.length
    } finally {
      v.loading = false
      if (views.value[roomId] === v) releaseHeld(roomId)
    }
  }

  async function loadNewer(roomId: string): Promise<number> {
    const v = views.value[roomId]
    const last = v?.items[v.items.length - 1]
    if (!v || v.loading || !v.hasNewer || !last) return 0
    v.loading = true
    try {
      const page = await api.historyAfter(roomId, last.id, pageSize)
      if (views.value[roomId] !== v || v.items[v.items.length - 1] !== last) return 0 // replaced meanwhile
      v.items.push(...page)
      v.hasNewer = page.length === pageSize
      if (!v.hasNewer) {
        v.newBelow = false
        v.newCount = 0
      }
      return page.length
    } finally {
      v.loading = false
      if (views.value[roomId] === v) releaseHeld(roomId)
    }
  }

  /**
   * Puts messages (received, or sent here) in their place in the open
   * views, each once. Messages past the loaded stretch are left for paging
   * unless the user follows the newest; then the oldest loaded ones go
   * when there are too many.
   */
  function addMany(list: readonly Message[]): void {
    const byRoom = new Map<string, Message[]>()
    for (const m of list) {
      const l = byRoom.get(m.room)
      if (l) l.push(m)
      else byRoom.set(m.room, [m])
    }
    for (const [roomId, incoming] of byRoom) {
      noteDuringRefresh(roomId, 'added', incoming)
      const v = views.value[roomId]
      if (!v) continue // not open: it loads from the store when opened
      if (v.loading) {
        holdBack(roomId, incoming)
        continue
      }
      const known = new Map(v.items.map((m) => [m.id, m]))
      const last = v.items[v.items.length - 1]
      const fresh: Message[] = []
      for (const m of incoming) {
        const k = known.get(m.id)
        if (k) {
          if (m.state) k.state = m.state
          continue
        }
        known.set(m.id, m)
        // Past the loaded stretch: it shows when the user gets down to it.
        if (v.hasNewer || (!v.following && last && byOrder(m, last) > 0)) {
          v.hasNewer = true
          v.newBelow = true
          v.newCount++
          continue
        }
        fresh.push(m)
      }
      if (fresh.length === 0) continue
      let items = [...v.items, ...fresh].sort(byOrder)
      // Replies whose original was not here yet can quote it now.
      const arrived = new Map(fresh.map((m) => [m.id, m]))
      for (let i = 0; i < items.length; i++) {
        const r = items[i]!
        const original = r.replyPreview?.missing && r.replyTo ? arrived.get(r.replyTo) : undefined
        if (original) items[i] = { ...r, replyPreview: previewOf(original) }
      }
      if (v.following && items.length > followLimit) {
        items = items.slice(items.length - followLimit)
        v.hasOlder = true
      }
      v.items = items
    }
  }

  function add(m: Message): void {
    addMany([m])
  }

  /** The room's unsent list, through the reactive proxy so that changes show and are kept. */
  function unsentOf(roomId: string): ShownMessage[] {
    unsent.value[roomId] ??= []
    return unsent.value[roomId]!
  }

  function dropUnsent(roomId: string, localId: string): void {
    const list = unsent.value[roomId]
    if (!list) return
    const rest = list.filter((m) => m.id !== localId)
    if (rest.length > 0) unsent.value[roomId] = rest
    else delete unsent.value[roomId]
  }

  /** Sends one unsent message; on success it moves into the history. */
  async function deliver(roomId: string, local: ShownMessage): Promise<void> {
    local.state = 'sending'
    delete local.error
    try {
      const sent = await api.send(roomId, local.text)
      dropUnsent(roomId, local.id)
      const v = views.value[roomId]
      // What you write you want to see: back to the newest message.
      if (v?.hasNewer) await showLatest(roomId)
      else if (v) follow(roomId, true)
      add(sent)
    } catch (err) {
      local.state = 'failed'
      local.error = errorText(err)
    }
  }

  /** Shows the message at once as sending, then in the history, or as failed. */
  async function send(roomId: string, text: string, me: Me): Promise<void> {
    const list = unsentOf(roomId)
    list.push({
      id: `local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      room: roomId,
      author: me.peerId,
      authorShort: me.shortId,
      authorName: me.name,
      kind: 'text',
      reactions: [],
      edited: false,
      deleted: false,
      mentionsMe: false,
      time: '',
      sentAt: Date.now(),
      text,
      mine: true,
      state: 'sending',
    })
    await deliver(roomId, list[list.length - 1]!)
  }

  /** Sends a failed message again. */
  async function retry(roomId: string, localId: string): Promise<void> {
    const failed = unsent.value[roomId]?.find((m) => m.id === localId)
    if (!failed || failed.state !== 'failed') return
    await deliver(roomId, failed)
  }

  /** Forgets a failed message the user does not want sent. */
  function discard(roomId: string, localId: string): void {
    const m = unsent.value[roomId]?.find((x) => x.id === localId)
    if (m && m.state === 'failed') dropUnsent(roomId, localId)
  }

  /** A message that waited in the outbox reached a peer. */
  function delivered(roomId: string, id: string): void {
    const m = views.value[roomId]?.items.find((x) => x.id === id)
    if (m) m.state = 'sent'
  }

  /**
   * Existing messages changed (a reaction, an edit, a delete): each takes
   * the place of the one with its id wherever it is loaded, and replies to
   * it quote it as it is now.
   */
  function changeMany(list: readonly Message[]): void {
    if (list.length === 0) return
    for (const m of list) noteDuringRefresh(m.room, 'changed', [m])
    const byId = new Map(list.map((m) => [m.id, m]))
    const swap = (items: ShownMessage[]) => {
      for (let i = 0; i < items.length; i++) {
        const old = items[i]!
        const next = byId.get(old.id)
        if (next && next.room === old.room) items[i] = old.state && !next.state ? { ...next, state: old.state } : next
        const target = old.replyTo ? byId.get(old.replyTo) : undefined
        if (target && items[i]!.replyPreview) items[i] = { ...items[i]!, replyPreview: previewOf(target) }
      }
    }
    for (const v of Object.values(views.value)) swap(v.items)
    for (const held of heldBack.values()) swap(held)
  }

  function change(m: Message): void {
    changeMany([m])
  }

  /** A fetch's progress shows on the file's messages already loaded. */
  function fileProgress(p: FileProgress): void {
    for (const v of Object.values(views.value)) {
      for (let i = 0; i < v.items.length; i++) {
        const m = v.items[i]!
        if (m.file?.hash === p.hash) v.items[i] = { ...m, file: { ...m.file, state: p.state, have: p.have, rate: p.rate, peers: p.peers, full: p.full, removed: p.removed } }
      }
    }
  }

  /** A peer's new name shows on the messages already loaded. */
  function rename(peerId: string, name: string): void {
    for (const v of Object.values(views.value)) {
      for (const m of v.items) if (m.author === peerId) m.authorName = name
    }
  }

  return {
    views,
    unsent,
    open,
    openAtStart,
    refresh,
    showLatest,
    follow,
    loadOlder,
    loadNewer,
    add,
    addMany,
    change,
    changeMany,
    openAt,
    openAtTime,
    clearHighlight,
    send,
    retry,
    discard,
    delivered,
    rename,
    fileProgress,
  }
})
