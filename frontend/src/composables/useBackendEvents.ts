import { onMounted, onUnmounted } from 'vue'
import { api, type BackendEvent } from '@/api'
import { useIdentityStore } from '@/stores/identity'
import { useMembersStore } from '@/stores/members'
import { useMessagesStore } from '@/stores/messages'
import { useNearbyStore } from '@/stores/nearby'
import { useRoomsStore } from '@/stores/rooms'

/** Keeps the stores in step with backend events while the component lives. */
export function useBackendEvents(): void {
  const identity = useIdentityStore()
  const rooms = useRoomsStore()
  const messages = useMessagesStore()
  const members = useMembersStore()
  const nearby = useNearbyStore()

  async function handle(e: BackendEvent): Promise<void> {
    switch (e.name) {
      case 'message':
        messages.add(e.data)
        break
      case 'profile':
        messages.rename(e.data.peerId, e.data.name)
        await members.reload()
        break
      case 'rooms':
        await rooms.load()
        break
      case 'members':
        await members.reload()
        break
      case 'nearby':
        await nearby.load()
        break
      case 'lagged':
        // Events were missed: everything on screen comes again from the store.
        await Promise.all([identity.load(), rooms.load(), members.reload(), nearby.load()])
        if (rooms.currentId) await messages.loadLatest(rooms.currentId)
        break
    }
  }

  let stop: (() => void) | null = null
  onMounted(() => {
    stop = api.on((e) => {
      handle(e).catch((err) => console.error('event handling failed', err))
    })
  })
  onUnmounted(() => stop?.())
}
