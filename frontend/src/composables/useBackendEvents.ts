import { onMounted, onUnmounted } from 'vue'
import { api, type BackendEvent } from '@/api'
import { useIdentityStore } from '@/stores/identity'
import { useMembersStore } from '@/stores/members'
import { useMessagesStore } from '@/stores/messages'
import { useNearbyStore } from '@/stores/nearby'
import { useRoomsStore } from '@/stores/rooms'
import { useStatusStore } from '@/stores/status'

/** Keeps the stores in step with backend events while the component lives. */
export function useBackendEvents(): void {
  const identity = useIdentityStore()
  const rooms = useRoomsStore()
  const messages = useMessagesStore()
  const members = useMembersStore()
  const nearby = useNearbyStore()
  const status = useStatusStore()

  // Unread counts change with every message from others; during a sync that
  // is thousands a second. Reload them at most twice a second.
  let roomsReload: ReturnType<typeof setTimeout> | undefined
  function reloadRoomsSoon(): void {
    roomsReload ??= setTimeout(() => {
      roomsReload = undefined
      rooms.load().catch((err) => console.error('reload rooms failed', err))
    }, 500)
  }

  async function handle(e: BackendEvent): Promise<void> {
    switch (e.name) {
      case 'message':
        messages.add(e.data)
        if (!e.data.mine) reloadRoomsSoon() // unread counts, activity
        break
      case 'sync':
        status.syncProgress(e.data)
        if (e.data.done && e.data.received > 0) {
          await rooms.load()
          // Messages that arrived by sync belong to the open room's history.
          const room = rooms.current
          if (room && room.id === e.data.room) await messages.open(room)
        }
        break
      case 'delivered':
        messages.delivered(e.data.room, e.data.id)
        break
      case 'profile':
        messages.rename(e.data.peerId, e.data.name)
        await Promise.all([members.reload(), status.load()])
        break
      case 'rooms':
        await Promise.all([rooms.load(), nearby.load()]) // "joined" marks in Nearby
        break
      case 'members':
        await Promise.all([members.reload(), status.load()])
        break
      case 'nearby':
        await Promise.all([nearby.load(), status.load()])
        break
      case 'lagged': {
        // Events were missed: everything on screen comes again from the store.
        await Promise.all([identity.load(), rooms.load(), members.reload(), nearby.load(), status.load()])
        const room = rooms.current
        if (room) await messages.open(room)
        break
      }
    }
  }

  let stop: (() => void) | null = null
  onMounted(() => {
    stop = api.on((e) => {
      handle(e).catch((err) => console.error('event handling failed', err))
    })
  })
  onUnmounted(() => {
    stop?.()
    clearTimeout(roomsReload)
  })
}
