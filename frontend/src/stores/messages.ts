import { defineStore } from 'pinia'
import { readonly, ref } from 'vue'
import { api, type Message } from '@/api'

/** How many messages a room view loads at a time. */
export const pageSize = 100

function byOrder(a: Message, b: Message): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export const useMessagesStore = defineStore('messages', () => {
  /** Loaded messages per room, in display order. */
  const byRoom = ref<Record<string, Message[]>>({})

  /** Loads the newest page of a room, replacing what was loaded. */
  async function loadLatest(roomId: string): Promise<void> {
    byRoom.value[roomId] = await api.history(roomId, '', pageSize)
  }

  /** Adds a message (sent here or received) in its place, once. */
  function add(m: Message): void {
    const list = byRoom.value[m.room]
    if (!list) return // room not open: it loads from the store when opened
    if (list.some((x) => x.id === m.id)) return
    list.push(m)
    list.sort(byOrder)
  }

  async function send(roomId: string, text: string): Promise<void> {
    add(await api.send(roomId, text))
  }

  /** A peer's new name shows on the messages already loaded. */
  function rename(peerId: string, name: string): void {
    for (const list of Object.values(byRoom.value)) {
      for (const m of list) if (m.author === peerId) m.authorName = name
    }
  }

  return { byRoom: readonly(byRoom), loadLatest, add, send, rename }
})
