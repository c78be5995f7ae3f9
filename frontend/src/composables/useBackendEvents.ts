import { onMounted, onUnmounted } from 'vue'
import { api, type BackendEvent, type Message } from '@/api'
import { refusalText } from '@/components/rooms/privateRoom'
import { useBlockedStore } from '@/stores/blocked'
import { useDirectStore } from '@/stores/direct'
import { useIdentityStore } from '@/stores/identity'
import { useMembersStore } from '@/stores/members'
import { useMessagesStore } from '@/stores/messages'
import { useNearbyStore } from '@/stores/nearby'
import { useNoticesStore } from '@/stores/notices'
import { useRoomsStore } from '@/stores/rooms'
import { useStatusStore } from '@/stores/status'
import { useTypingStore } from '@/stores/typing'

/**
 * Unread counts change with every message from others; during a sync that
 * is thousands a second. They are reloaded at most this often.
 */
const unreadEveryMs = 500

/**
 * While a sync pours messages into the open room, its history is reloaded
 * at most this often (and never twice at once): every reload redraws the
 * list, and the user would not read faster.
 */
const roomRefreshEveryMs = 250

/** Where frames are paused (a hidden window), events are handled this often. */
const batchAtLeastEveryMs = 100

type Reload = 'identity' | 'rooms' | 'members' | 'nearby' | 'status' | 'direct' | 'blocked'

/**
 * Keeps the stores in step with backend events while the component lives.
 * Events are queued and handled together once per frame: each kind of
 * reload (and each room's history) is asked for once per batch, whatever
 * the number of events that called for it, and the stores drop answers
 * older than their newest request.
 */
export function useBackendEvents(): void {
  const identity = useIdentityStore()
  const rooms = useRoomsStore()
  const messages = useMessagesStore()
  const members = useMembersStore()
  const nearby = useNearbyStore()
  const status = useStatusStore()
  const typing = useTypingStore()
  const notices = useNoticesStore()
  const direct = useDirectStore()
  const blocked = useBlockedStore()

  const failed = (what: string) => (err: unknown) => console.error(`reload ${what} failed`, err)

  let unreadTimer: ReturnType<typeof setTimeout> | undefined
  function reloadUnreadSoon(): void {
    unreadTimer ??= setTimeout(() => {
      unreadTimer = undefined
      rooms.load().catch(failed('rooms'))
    }, unreadEveryMs)
  }

  // The open room's reload: one at a time, the next no sooner than
  // roomRefreshEveryMs after the last began; asks in between are merged.
  let refreshing = false
  let refreshWanted = false
  let lastRefresh = -Infinity
  let refreshTimer: ReturnType<typeof setTimeout> | undefined
  function refreshOpenRoom(): void {
    refreshWanted = true
    if (refreshing || refreshTimer !== undefined) return
    const wait = lastRefresh + roomRefreshEveryMs - performance.now()
    if (wait > 0) {
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined
        refreshOpenRoom()
      }, wait)
      return
    }
    const room = rooms.current
    refreshWanted = false
    if (!room) return
    refreshing = true
    lastRefresh = performance.now()
    messages
      .refresh(room)
      .catch(failed('messages'))
      .finally(() => {
        refreshing = false
        if (refreshWanted) refreshOpenRoom()
      })
  }

  let queue: BackendEvent[] = []
  let frame = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let scheduled = false

  function schedule(): void {
    if (scheduled) return
    scheduled = true
    frame = requestAnimationFrame(flush)
    timer = setTimeout(flush, batchAtLeastEveryMs)
  }

  function flush(): void {
    cancelAnimationFrame(frame)
    clearTimeout(timer)
    scheduled = false
    const batch = queue
    queue = []

    const reloads = new Set<Reload>()
    const refreshRooms = new Set<string>()
    let incoming: Message[] = []
    let changed: Message[] = []
    let unread = false
    for (const e of batch) {
      switch (e.name) {
        case 'message':
          if (changed.length) {
            // A change in this batch was to an earlier message; it goes first.
            messages.addMany(incoming)
            messages.changeMany(changed)
            incoming = []
            changed = []
          }
          incoming.push(e.data)
          if (e.data.mine && e.data.state === 'stored') unread = true // the room's undelivered count
          if (!e.data.mine) {
            unread = true // unread counts, activity
            typing.stopped(e.data.room, e.data.author) // they sent what they typed
          }
          break
        case 'changed':
          // The message it changes may be in this batch.
          messages.addMany(incoming)
          incoming = []
          changed.push(e.data)
          break
        case 'typing':
          typing.seen(e.data)
          break
        case 'arrived':
          refreshRooms.add(e.data.room)
          unread = true
          break
        case 'sync':
          status.syncProgress(e.data)
          if (e.data.done && e.data.received > 0) {
            refreshRooms.add(e.data.room)
            unread = true
          }
          break
        case 'delivered':
          // The message it marks may be in this batch.
          messages.addMany(incoming)
          messages.changeMany(changed)
          incoming = []
          changed = []
          messages.delivered(e.data.room, e.data.id)
          unread = true // the room's undelivered count
          break
        case 'profile':
          messages.rename(e.data.peerId, e.data.name)
          reloads.add('members').add('status').add('direct')
          // A direct conversation is named after the other person.
          if (rooms.rooms.some((r) => r.direct)) reloads.add('rooms')
          break
        case 'rooms':
          reloads.add('rooms').add('nearby') // "joined" marks in Nearby
          reloads.add('blocked') // a block or unblock says so with this event
          // A private room's log changed (a role, a removal, a join): its
          // members' roles with it, and the lines this node wrote for it,
          // which come with no message event of their own.
          if (rooms.current?.private) {
            reloads.add('members')
            refreshRooms.add(rooms.current.id)
          }
          break
        case 'joinRefused': {
          reloads.add('rooms')
          // The open room's banner says why; another room's refusal would go unseen.
          const refused = rooms.rooms.find((r) => r.id === e.data.room)
          if (refused && refused.id !== rooms.currentId) {
            notices.error(new Error(`Not let into ${refused.name}: ${refusalText[e.data.reason] ?? refusalText.unknown}`))
          }
          break
        }
        case 'members':
          reloads.add('members').add('status').add('direct') // the presence of direct conversations' people
          // Someone let in by this node: the line saying so has no message event.
          if (rooms.current?.private) refreshRooms.add(rooms.current.id)
          break
        case 'nearby':
          reloads.add('nearby').add('status')
          break
        case 'file':
          messages.addMany(incoming)
          messages.changeMany(changed)
          incoming = []
          changed = []
          messages.fileProgress(e.data)
          break
        case 'status':
          reloads.add('status')
          break
        case 'connection':
          status.setNodeLost(!e.data.connected)
          if (!e.data.connected) members.presenceUnknown()
          break
        case 'lagged':
          // Events were missed: everything on screen comes again from the
          // store, and sync lines whose end may have been missed go.
          for (const r of ['identity', 'rooms', 'members', 'nearby', 'status', 'direct', 'blocked'] as const) reloads.add(r)
          status.clearSyncs()
          if (rooms.currentId) refreshRooms.add(rooms.currentId)
          break
      }
    }
    messages.addMany(incoming)
    messages.changeMany(changed)

    if (reloads.has('identity')) identity.load().catch(failed('identity'))
    if (reloads.has('rooms')) {
      const loaded = rooms.load()
      loaded.catch(failed('rooms'))
      // With the rooms as they are now: a conversation may have come or gone.
      if (reloads.has('direct')) loaded.then(() => direct.load(rooms.rooms)).catch(failed('direct conversations'))
    } else {
      if (unread) reloadUnreadSoon()
      if (reloads.has('direct')) direct.load(rooms.rooms).catch(failed('direct conversations'))
    }
    if (reloads.has('blocked')) blocked.load().catch(failed('blocked'))
    if (reloads.has('members')) members.reload().catch(failed('members'))
    if (reloads.has('nearby')) nearby.load().catch(failed('nearby'))
    if (reloads.has('status')) status.load().catch(failed('status'))
    // Only the open room's history is on screen; others load when opened.
    if (rooms.currentId && refreshRooms.has(rooms.currentId)) refreshOpenRoom()
  }

  let stop: (() => void) | null = null
  onMounted(() => {
    stop = api.on((e) => {
      queue.push(e)
      schedule()
    })
  })
  onUnmounted(() => {
    stop?.()
    cancelAnimationFrame(frame)
    clearTimeout(timer)
    clearTimeout(unreadTimer)
    clearTimeout(refreshTimer)
  })
}
