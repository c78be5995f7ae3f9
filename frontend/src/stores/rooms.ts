import { defineStore } from 'pinia'
import { computed, readonly, ref } from 'vue'
import { api, type Room } from '@/api'
import { newestOnly } from './newest'

export const useRoomsStore = defineStore('rooms', () => {
  const rooms = ref<Room[]>([])
  const currentId = ref<string | null>(null)
  const current = computed(() => rooms.value.find((r) => r.id === currentId.value) ?? null)

  const load = newestOnly(
    () => api.rooms(),
    (list) => {
      rooms.value = list
      if (!current.value) currentId.value = list[0]?.id ?? null
    },
  )

  function select(id: string): void {
    currentId.value = id
  }

  async function create(name: string): Promise<void> {
    const room = await api.createRoom(name)
    await load()
    currentId.value = room.id
  }

  async function join(id: string, name: string): Promise<void> {
    const room = await api.joinRoom(id, name)
    await load()
    currentId.value = room.id
  }

  async function leave(id: string): Promise<void> {
    await api.leaveRoom(id)
    if (currentId.value === id) currentId.value = null
    await load()
  }

  /** Unread messages in all rooms, for the window title. */
  const totalUnread = computed(() => rooms.value.reduce((n, r) => n + r.unread, 0))

  /** The user has seen a room up to messageId. */
  async function markRead(roomId: string, messageId: string): Promise<void> {
    const room = rooms.value.find((r) => r.id === roomId)
    if (!room || room.lastRead === messageId) return
    room.unread = 0
    room.lastRead = messageId
    await api.markRead(roomId, messageId)
  }

  return {
    rooms: readonly(rooms),
    currentId: readonly(currentId),
    current,
    totalUnread,
    load,
    select,
    create,
    join,
    leave,
    markRead,
  }
})
