import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, errorText, type Me, type Message, type Room } from '@/api'

/** How many messages a room view loads at a time. */
export const pageSize = 100

/** A message as shown: failed sends keep their reason. */
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
}

/** Sorts after every stored message: a message being sent has no time yet. */
const pendingTime = '9'.repeat(20)

function byOrder(a: Message, b: Message): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Index at which m belongs in sorted items (binary search). */
function insertionIndex(items: readonly Message[], m: Message): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (byOrder(items[mid]!, m) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

export const useMessagesStore = defineStore('messages', () => {
  const views = ref<Record<string, RoomView>>({})
  let localSeq = 0

  /** Loads a room around where the user stopped reading. */
  async function open(room: Room): Promise<void> {
    const view: RoomView = { items: [], hasOlder: false, hasNewer: false, firstUnreadId: null, loading: true }
    views.value[room.id] = view
    const v = views.value[room.id]!
    try {
      if (room.unread > 0 && room.lastRead) {
        const newer = await api.historyAfter(room.id, room.lastRead, pageSize)
        const older = await api.history(room.id, newer[0]?.id ?? '', pageSize)
        v.items = [...older, ...newer]
        v.firstUnreadId = newer[0]?.id ?? null
        v.hasOlder = older.length === pageSize
        v.hasNewer = newer.length === pageSize
      } else {
        const latest = await api.history(room.id, '', pageSize)
        v.items = [...latest]
        v.hasOlder = latest.length === pageSize
        // Never read anything here: the divider goes before the unread tail.
        const unreadShown = Math.min(room.unread, latest.length)
        v.firstUnreadId = unreadShown > 0 ? latest[latest.length - unreadShown]!.id : null
      }
    } finally {
      v.loading = false
    }
  }

  /** Shows a room from its very first message. */
  async function openAtStart(roomId: string): Promise<void> {
    const first = await api.historyAfter(roomId, '', pageSize)
    views.value[roomId] = { items: first, hasOlder: false, hasNewer: first.length === pageSize, firstUnreadId: null, loading: false }
  }

  async function loadOlder(roomId: string): Promise<number> {
    const v = views.value[roomId]
    if (!v || v.loading || !v.hasOlder || v.items.length === 0) return 0
    v.loading = true
    try {
      const page = await api.history(roomId, v.items[0]!.id, pageSize)
      v.items.unshift(...page)
      v.hasOlder = page.length === pageSize
      return page.length
    } finally {
      v.loading = false
    }
  }

  async function loadNewer(roomId: string): Promise<number> {
    const v = views.value[roomId]
    const last = v?.items.findLast((m) => m.state !== 'sending' && m.state !== 'failed')
    if (!v || v.loading || !v.hasNewer || !last) return 0
    v.loading = true
    try {
      const page = await api.historyAfter(roomId, last.id, pageSize)
      for (const m of page) add(m)
      v.hasNewer = page.length === pageSize
      return page.length
    } finally {
      v.loading = false
    }
  }

  /** Adds a message (received, or sent here) in its place, once. */
  function add(m: Message): void {
    const v = views.value[m.room]
    if (!v) return // room not open: it loads from the store when opened
    const known = v.items.find((x) => x.id === m.id)
    if (known) {
      if (m.state) known.state = m.state
      return
    }
    // Past the loaded stretch: it shows when the user scrolls down to it.
    if (v.hasNewer) return
    v.items.splice(insertionIndex(v.items, m), 0, m)
  }

  function removeLocal(roomId: string, localId: string): void {
    const v = views.value[roomId]
    if (v) v.items = v.items.filter((m) => m.id !== localId)
  }

  /** Shows the message at once as sending, then as sent, stored or failed. */
  async function send(roomId: string, text: string, me: Me): Promise<void> {
    const local: ShownMessage = {
      id: `local-${++localSeq}`,
      room: roomId,
      author: me.peerId,
      authorShort: me.shortId,
      authorName: me.name,
      time: pendingTime,
      sentAt: Date.now(),
      text,
      mine: true,
      state: 'sending',
    }
    const v = views.value[roomId]
    v?.items.push(local)
    try {
      const sent = await api.send(roomId, text)
      removeLocal(roomId, local.id)
      add(sent)
    } catch (err) {
      const shown = views.value[roomId]?.items.find((m) => m.id === local.id)
      if (shown) {
        shown.state = 'failed'
        shown.error = errorText(err)
      }
    }
  }

  /** Sends a failed message again. */
  async function retry(roomId: string, localId: string, me: Me): Promise<void> {
    const failed = views.value[roomId]?.items.find((m) => m.id === localId)
    if (!failed || failed.state !== 'failed') return
    removeLocal(roomId, localId)
    await send(roomId, failed.text, me)
  }

  /** A message that waited in the outbox reached a peer. */
  function delivered(roomId: string, id: string): void {
    const m = views.value[roomId]?.items.find((x) => x.id === id)
    if (m) m.state = 'sent'
  }

  /** A peer's new name shows on the messages already loaded. */
  function rename(peerId: string, name: string): void {
    for (const v of Object.values(views.value)) {
      for (const m of v.items) if (m.author === peerId) m.authorName = name
    }
  }

  return { views, open, openAtStart, loadOlder, loadNewer, add, send, retry, delivered, rename }
})
