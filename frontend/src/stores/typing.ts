import { defineStore } from 'pinia'
import { displayName } from '@/lib/names'
import { ref } from 'vue'
import type { Typing } from '@/api'

/** How long "is typing" shows after the last sign of it. */
export const typingShownMs = 6000

interface Typist {
  peerId: string
  name: string
  shortId: string
  until: number
}

/** Who is typing in which room, from the backend's ephemeral typing events. */
export const useTypingStore = defineStore('typing', () => {
  const typists = ref<Record<string, Typist[]>>({})
  /** Bumped by the timer so that expired typists leave the view. */
  const now = ref(Date.now())
  let timer: ReturnType<typeof setTimeout> | undefined

  function tick(): void {
    now.value = Date.now()
    for (const [room, list] of Object.entries(typists.value)) {
      const live = list.filter((t) => t.until > now.value)
      if (live.length) typists.value[room] = live
      else delete typists.value[room]
    }
    timer = Object.keys(typists.value).length ? setTimeout(tick, 1000) : undefined
  }

  function seen(t: Typing): void {
    const list = (typists.value[t.room] ?? []).filter((x) => x.peerId !== t.peerId)
    list.push({ peerId: t.peerId, name: t.name, shortId: t.shortId, until: Date.now() + typingShownMs })
    typists.value[t.room] = list
    if (!timer) timer = setTimeout(tick, 1000)
  }

  /** A peer's message arrived: they have stopped typing it. */
  function stopped(roomId: string, peerId: string): void {
    const list = typists.value[roomId]
    if (list) typists.value[roomId] = list.filter((x) => x.peerId !== peerId)
  }

  /** Names of those typing in a room now, in the order they started. */
  function inRoom(roomId: string): string[] {
    void now.value
    return (typists.value[roomId] ?? []).filter((t) => t.until > Date.now()).map((t) => displayName(t.name))
  }

  return { typists, seen, stopped, inRoom }
})
