import { defineStore } from 'pinia'
import { computed, readonly, ref } from 'vue'
import { api, type NotifyLevel, type Room } from '@/api'
import { newestOnly } from './newest'

export const useRoomsStore = defineStore('rooms', () => {
  const rooms = ref<Room[]>([])
  const currentId = ref<string | null>(null)
  const current = computed(() => rooms.value.find((r) => r.id === currentId.value) ?? null)
  /** The sidebar's order: rooms, then direct conversations; Alt+Up and Alt+Down follow it. */
  const ordered = computed(() => [...rooms.value.filter((r) => !r.direct), ...rooms.value.filter((r) => r.direct)])

  const load = newestOnly(
    () => api.rooms(),
    (list) => {
      rooms.value = list
      if (!current.value) currentId.value = ordered.value[0]?.id ?? null
    },
  )

  function select(id: string): void {
    currentId.value = id
  }

  /**
   * Creates a room and opens it: an invite-only one, or a private one (only
   * whom its owner and moderators invite get in, only members read it).
   */
  async function create(name: string, isPrivate = false): Promise<Room> {
    const room = await (isPrivate ? api.createPrivateRoom(name) : api.createRoom(name))
    await load()
    currentId.value = room.id
    return room
  }

  async function join(id: string, name: string): Promise<void> {
    const room = await api.joinRoom(id, name)
    await load()
    currentId.value = room.id
  }

  /**
   * Opens the direct conversation with a person, started if there is none
   * (they are offered it when next in reach).
   */
  async function openDirect(peerId: string): Promise<Room> {
    const room = await api.directMessage(peerId)
    await load()
    currentId.value = room.id
    return room
  }

  /** Leaves a room; with deleteHistory its messages leave this node too. */
  async function leave(id: string, deleteHistory = false): Promise<void> {
    await (deleteHistory ? api.deleteRoomHistory(id) : api.leaveRoom(id))
    rooms.value = rooms.value.filter((r) => r.id !== id)
    if (currentId.value === id) currentId.value = ordered.value[0]?.id ?? null
    await load()
  }

  /** Puts a room as the backend now has it in the list (name, topic, notify, visibility). */
  function put(room: Room): void {
    const i = rooms.value.findIndex((r) => r.id === room.id)
    if (i >= 0) rooms.value[i] = { ...rooms.value[i]!, ...room }
  }

  async function rename(id: string, name: string): Promise<void> {
    put(await api.renameRoom(id, name))
  }

  async function setTopic(id: string, topic: string): Promise<void> {
    put(await api.setTopic(id, topic))
  }

  async function setNotify(id: string, level: NotifyLevel): Promise<void> {
    put(await api.setNotify(id, level))
  }

  /** Shows the room under Nearby for people on this network, or stops it. */
  async function setNearby(id: string, on: boolean): Promise<void> {
    put(await api.setRoomNearby(id, on))
  }

  /**
   * Unread messages in all rooms, for the window title. A request from
   * someone you share no room with does not call for attention until you
   * answer it.
   */
  const totalUnread = computed(() => rooms.value.reduce((n, r) => n + (r.request ? 0 : r.unread), 0))

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
    ordered,
    totalUnread,
    load,
    select,
    create,
    join,
    openDirect,
    leave,
    rename,
    setTopic,
    setNotify,
    setNearby,
    markRead,
  }
})
