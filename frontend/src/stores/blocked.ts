import { defineStore } from 'pinia'
import { computed, readonly, ref } from 'vue'
import { api, type Profile } from '@/api'
import { useMessagesStore } from './messages'
import { newestOnly } from './newest'
import { useRoomsStore } from './rooms'

/**
 * The people the user blocked, on this device: the node leaves their
 * messages out and turns their direct conversations away. They are not
 * told. A block or unblock reloads the open room, whose messages change
 * with it.
 */
export const useBlockedStore = defineStore('blocked', () => {
  const people = ref<Profile[]>([])
  const ids = computed(() => new Set(people.value.map((p) => p.peerId)))

  const load = newestOnly(
    () => api.blocked(),
    (list) => (people.value = list),
  )

  function isBlocked(peerId: string): boolean {
    return ids.value.has(peerId)
  }

  /** The open room's messages as the node shows them now (a blocked person's are left out). */
  function reloadOpenRoom(): void {
    const room = useRoomsStore().current
    if (room) useMessagesStore().open(room).catch((err: unknown) => console.error('reload messages', err))
  }

  /** Blocks someone; with reload false the open room is left as it is (it is about to be left). */
  async function block(peerId: string, { reload = true } = {}): Promise<void> {
    await api.block(peerId)
    if (reload) reloadOpenRoom()
    await load()
  }

  async function unblock(peerId: string): Promise<void> {
    await api.unblock(peerId)
    reloadOpenRoom()
    await load()
  }

  return { people: readonly(people), load, isBlocked, block, unblock }
})
