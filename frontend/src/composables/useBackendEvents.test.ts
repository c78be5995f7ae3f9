import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent } from 'vue'
import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { BackendEvent, Member, Message, NearbyPeer, Room, SyncProgress } from '@/api'
import { member, message, roomId, status as nodeStatus } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: {
    on: vi.fn(),
    me: vi.fn(),
    rooms: vi.fn(),
    members: vi.fn(),
    nearby: vi.fn(),
    status: vi.fn(),
    peers: vi.fn(),
    helpers: vi.fn(),
    history: vi.fn(),
    historyAfter: vi.fn(),
    blocked: vi.fn(),
  },
}))

import { api } from '@/api'
import { useBlockedStore } from '@/stores/blocked'
import { useDirectStore } from '@/stores/direct'
import { useMembersStore } from '@/stores/members'
import { useMessagesStore } from '@/stores/messages'
import { useNearbyStore } from '@/stores/nearby'
import { useNoticesStore } from '@/stores/notices'
import { useRoomsStore } from '@/stores/rooms'
import { useStatusStore } from '@/stores/status'
import { useTypingStore } from '@/stores/typing'
import { useBackendEvents } from './useBackendEvents'

/** A call whose answer the test gives, in the order it chooses. */
interface Pending<T> {
  resolve: (v: T) => void
}

/** Makes fn answer each call only when the test says so. */
function controlled<T>(fn: (...args: never[]) => Promise<T>): Pending<T>[] {
  const calls: Pending<T>[] = []
  vi.mocked(fn).mockImplementation(() => new Promise<T>((resolve) => calls.push({ resolve })))
  return calls
}

const room = (over: Partial<Room> = {}): Room => ({ id: roomId, name: 'r', topic: '', notify: 'all', unread: 0, mentions: 0, undelivered: 0, lastRead: '', lastActivity: 0, nearby: false, legacy: false, private: false, direct: false, myRole: '', pending: false, removed: false, request: false, ...over })
const sync = (over: Partial<SyncProgress> = {}): SyncProgress => ({
  room: roomId,
  peerId: 'peer-b',
  peerName: 'Bob',
  received: 10,
  total: 100,
  sent: 0,
  done: false,
  ...over,
})

let emit: (e: BackendEvent) => void
let wrapper: VueWrapper | null = null

/** Lets the batch of events emitted so far be handled, and the answers settle. */
async function nextBatch(): Promise<void> {
  await vi.advanceTimersByTimeAsync(100)
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

function mountEvents(): void {
  vi.mocked(api.on).mockImplementation((fn) => {
    emit = fn
    return () => {}
  })
  wrapper = mount(defineComponent({ setup: () => useBackendEvents(), template: '<div />' }))
}

describe('useBackendEvents', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    localStorage.clear()
    setActivePinia(createPinia())
    for (const fn of Object.values(api)) vi.mocked(fn as () => unknown).mockReset()
    vi.mocked(api.blocked).mockResolvedValue([])
    mountEvents()
  })

  afterEach(() => {
    wrapper?.unmount()
    vi.useRealTimers()
  })

  it('asks for each kind of reload once per batch of events', async () => {
    vi.mocked(api.members).mockResolvedValue([])
    vi.mocked(api.nearby).mockResolvedValue([])
    vi.mocked(api.status).mockResolvedValue(nodeStatus({ network: 'off', mdns: false }))
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    await useMembersStore().load(roomId)
    vi.mocked(api.members).mockClear()
    for (let i = 0; i < 5; i++) emit({ name: 'members', data: null })
    for (let i = 0; i < 3; i++) emit({ name: 'nearby', data: null })
    await nextBatch()
    expect(api.members).toHaveBeenCalledTimes(1)
    expect(api.nearby).toHaveBeenCalledTimes(1)
    expect(api.status).toHaveBeenCalledTimes(1) // asked for by both kinds
  })

  it('reloads the status, and nothing else, when reachability changes', async () => {
    vi.mocked(api.status).mockResolvedValue(nodeStatus({ network: 'internet', reachability: 'private', relays: ['relay'] }))
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    emit({ name: 'status', data: null })
    emit({ name: 'status', data: null })
    await nextBatch()
    expect(api.status).toHaveBeenCalledTimes(1)
    expect(api.members).not.toHaveBeenCalled()
    expect(api.nearby).not.toHaveBeenCalled()
  })

  it('shows the newest members, not the answer that came back last', async () => {
    vi.mocked(api.members).mockResolvedValueOnce([])
    await useMembersStore().load(roomId)
    vi.mocked(api.status).mockResolvedValue(nodeStatus({ network: 'off', mdns: false }))
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    const answers = controlled<Member[]>(api.members)
    emit({ name: 'members', data: null })
    await nextBatch()
    emit({ name: 'members', data: null })
    await nextBatch()
    expect(answers).toHaveLength(2)
    answers[1]!.resolve([member('Carol', true)]) // the newer answer first
    await settle()
    answers[0]!.resolve([member('Carol', false)]) // then the stale one
    await settle()
    expect(useMembersStore().members.map((m) => m.online)).toEqual([true])
  })

  it('shows the newest rooms and nearby peers, not the answers that came back last', async () => {
    const roomAnswers = controlled<Room[]>(api.rooms)
    const nearbyAnswers = controlled<NearbyPeer[]>(api.nearby)
    emit({ name: 'rooms', data: null })
    await nextBatch()
    emit({ name: 'rooms', data: null })
    await nextBatch()
    roomAnswers[1]!.resolve([room({ name: 'renamed' })])
    nearbyAnswers[1]!.resolve([])
    await settle()
    roomAnswers[0]!.resolve([room({ name: 'old' })])
    nearbyAnswers[0]!.resolve([{ peerId: 'x', shortId: 'x', name: 'gone', connected: false, lan: false, rooms: [] }])
    await settle()
    expect(useRoomsStore().rooms.map((r) => r.name)).toEqual(['renamed'])
    expect(useNearbyStore().peers).toEqual([])
  })

  it('reloads the open room once for a burst of arrivals, one reload at a time', async () => {
    vi.mocked(api.rooms).mockResolvedValue([room()])
    await useRoomsStore().load()
    vi.mocked(api.history).mockResolvedValueOnce([])
    const messages = useMessagesStore()
    await messages.open(room())
    const answers = controlled<Message[]>(api.history)
    for (let i = 0; i < 10; i++) emit({ name: 'arrived', data: { room: roomId, count: 256 } })
    emit({ name: 'arrived', data: { room: 'other room', count: 256 } })
    await nextBatch()
    expect(answers).toHaveLength(1)
    emit({ name: 'arrived', data: { room: roomId, count: 256 } }) // while the first is out
    await nextBatch()
    expect(answers).toHaveLength(1)
    answers[0]!.resolve([message('first page')])
    await vi.advanceTimersByTimeAsync(300)
    expect(answers).toHaveLength(2) // the arrivals in between, merged into one
    answers[1]!.resolve([message('second page')])
    await settle()
    expect(messages.views[roomId]!.items.map((m) => m.text)).toEqual(['second page'])
    // Unread counts: once, a little later, for the whole burst.
    vi.mocked(api.rooms).mockClear()
    await vi.advanceTimersByTimeAsync(500)
    expect(api.rooms).toHaveBeenCalledTimes(1)
  })

  it('drops a room reload that answers after a newer one', async () => {
    vi.mocked(api.rooms).mockResolvedValue([room()])
    await useRoomsStore().load()
    vi.mocked(api.history).mockResolvedValueOnce([])
    const messages = useMessagesStore()
    await messages.open(room())
    const answers = controlled<Message[]>(api.history)
    emit({ name: 'arrived', data: { room: roomId, count: 256 } })
    await nextBatch()
    const reopened = messages.open(room()) // the user comes back to the room meanwhile
    expect(answers).toHaveLength(2)
    answers[1]!.resolve([message('newer')])
    await reopened
    answers[0]!.resolve([message('older')])
    await settle()
    expect(messages.views[roomId]!.items.map((m) => m.text)).toEqual(['newer'])
  })

  it('adds a burst of live messages in one go, in order, each once', async () => {
    vi.mocked(api.rooms).mockResolvedValue([room()])
    await useRoomsStore().load()
    vi.mocked(api.history).mockResolvedValueOnce([])
    const messages = useMessagesStore()
    await messages.open(room())
    const burst = Array.from({ length: 2000 }, (_, i) => message(`m ${i}`))
    for (const m of [...burst].reverse()) emit({ name: 'message', data: m })
    emit({ name: 'message', data: burst[5]! })
    await nextBatch()
    const items = messages.views[roomId]!.items
    expect(items.at(-1)!.text).toBe('m 1999')
    expect(new Set(items.map((m) => m.id)).size).toBe(items.length)
    expect(items.map((m) => m.time)).toEqual(items.map((m) => m.time).sort())
  })

  it('puts a changed message in place of the old one, also when both come in one batch', async () => {
    vi.mocked(api.rooms).mockResolvedValue([room()])
    await useRoomsStore().load()
    const loaded = message('loaded')
    vi.mocked(api.history).mockResolvedValueOnce([loaded])
    const messages = useMessagesStore()
    await messages.open(room())
    const fresh = message('fresh')
    emit({ name: 'changed', data: { ...loaded, text: 'loaded, fixed', edited: true } })
    emit({ name: 'message', data: fresh })
    emit({ name: 'changed', data: { ...fresh, reactions: [{ emoji: '🎉', count: 2, mine: false, by: ['Bob', 'Cy'] }] } })
    await nextBatch()
    const [a, b] = messages.views[roomId]!.items
    expect(a).toMatchObject({ text: 'loaded, fixed', edited: true })
    expect(b!.reactions.map((r) => `${r.emoji}${r.count}`)).toEqual(['🎉2'])
    expect(messages.views[roomId]!.items).toHaveLength(2)
  })

  it('shows who is typing, until their message comes', async () => {
    vi.mocked(api.rooms).mockResolvedValue([room()])
    await useRoomsStore().load()
    vi.mocked(api.history).mockResolvedValueOnce([])
    await useMessagesStore().open(room())
    const typing = useTypingStore()
    emit({ name: 'typing', data: { room: roomId, peerId: 'peer-b', shortId: 'peer-b', name: 'Bob' } })
    await nextBatch()
    expect(typing.inRoom(roomId)).toEqual(['Bob'])
    emit({ name: 'message', data: message('done typing', 'peer-b') })
    await nextBatch()
    expect(typing.inRoom(roomId)).toEqual([])
  })

  it('ends the sync line when the session is done, and on lagged', async () => {
    vi.mocked(api.rooms).mockResolvedValue([])
    vi.mocked(api.me).mockResolvedValue({ peerId: 'p', shortId: 's', name: '', addrs: [] })
    vi.mocked(api.nearby).mockResolvedValue([])
    vi.mocked(api.status).mockResolvedValue(nodeStatus({ network: 'off', mdns: false }))
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    const status = useStatusStore()
    emit({ name: 'sync', data: sync({ peerId: 'a' }) })
    emit({ name: 'sync', data: sync({ peerId: 'b' }) })
    await nextBatch()
    expect(Object.keys(status.syncs)).toHaveLength(2)
    emit({ name: 'sync', data: sync({ peerId: 'a', received: 100, done: true }) })
    await nextBatch()
    expect(Object.values(status.syncs).map((s) => s.peerId)).toEqual(['b'])
    emit({ name: 'lagged', data: null }) // b's end was lost
    await nextBatch()
    expect(status.syncs).toEqual({})
  })

  it('reloads the rooms when a join by link is turned away, and says so when that room is not the open one', async () => {
    const other = 'bb'.repeat(32)
    vi.mocked(api.rooms).mockResolvedValue([room(), room({ id: other, name: 'plans', private: true, pending: true })])
    vi.mocked(api.nearby).mockResolvedValue([])
    await useRoomsStore().load()
    vi.mocked(api.rooms).mockClear()
    emit({ name: 'joinRefused', data: { room: other, reason: 'expired' } })
    await nextBatch()
    expect(api.rooms).toHaveBeenCalledTimes(1)
    expect(useNoticesStore().notices.map((n) => n.text)).toEqual(['Not let into plans: This invite link has expired; ask for a new one.'])
    // The open room's banner says it: no toast on top.
    emit({ name: 'joinRefused', data: { room: roomId, reason: 'revoked' } })
    await nextBatch()
    expect(useNoticesStore().notices).toHaveLength(1)
  })

  it("reloads the open private room's members with the rooms, for roles that changed", async () => {
    vi.mocked(api.rooms).mockResolvedValue([room({ private: true, myRole: 'member' })])
    vi.mocked(api.nearby).mockResolvedValue([])
    vi.mocked(api.members).mockResolvedValue([member('Bob', true)])
    vi.mocked(api.history).mockResolvedValue([])
    await useRoomsStore().load()
    await useMembersStore().load(roomId)
    vi.mocked(api.members).mockClear()
    emit({ name: 'rooms', data: null })
    await nextBatch()
    expect(api.members).toHaveBeenCalledTimes(1)
    // The lines this node wrote ("You made Bob a moderator") come with no event: the room reloads.
    expect(api.history).toHaveBeenCalledWith(roomId, '', expect.any(Number))
  })

  it('reloads who is blocked with the rooms: a block or unblock says so with a rooms event', async () => {
    vi.mocked(api.rooms).mockResolvedValue([room()])
    vi.mocked(api.nearby).mockResolvedValue([])
    vi.mocked(api.blocked).mockResolvedValue([{ peerId: 'peer-c', shortId: 'c', name: 'Cy' }])
    emit({ name: 'rooms', data: null })
    emit({ name: 'rooms', data: null })
    await nextBatch()
    expect(api.blocked).toHaveBeenCalledTimes(1)
    await settle()
    expect(useBlockedStore().isBlocked('peer-c')).toBe(true)
  })

  it("reloads the presence of direct conversations' people when someone comes or goes, and no Members call without one", async () => {
    vi.mocked(api.status).mockResolvedValue(nodeStatus({ network: 'off', mdns: false }))
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    vi.mocked(api.members).mockResolvedValue([])
    vi.mocked(api.rooms).mockResolvedValue([room()])
    await useRoomsStore().load()
    emit({ name: 'members', data: null })
    await nextBatch()
    expect(api.members).not.toHaveBeenCalled() // no room open in the members store, no conversation

    const dm = 'dd'.repeat(32)
    vi.mocked(api.rooms).mockResolvedValue([room(), room({ id: dm, name: 'Bob', private: true, direct: true, myRole: 'owner' })])
    await useRoomsStore().load()
    vi.mocked(api.members).mockImplementation(async (id) => (id === dm ? [{ ...member('Ada', true), me: true }, { ...member('Bob', true), presence: 'away' }] : []))
    emit({ name: 'members', data: null })
    await nextBatch()
    await settle()
    expect(api.members).toHaveBeenCalledWith(dm)
    expect(useDirectStore().otherOf(dm)?.presence).toBe('away')
  })

  it('reloads the rooms when a name changes while there is a direct conversation: it is named after the other person', async () => {
    vi.mocked(api.status).mockResolvedValue(nodeStatus({ network: 'off', mdns: false }))
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    vi.mocked(api.members).mockResolvedValue([])
    vi.mocked(api.nearby).mockResolvedValue([])
    vi.mocked(api.rooms).mockResolvedValue([room()])
    await useRoomsStore().load()
    vi.mocked(api.rooms).mockClear()
    emit({ name: 'profile', data: { peerId: 'peer-b', shortId: 'b', name: 'Robert' } })
    await nextBatch()
    expect(api.rooms).not.toHaveBeenCalled()
    vi.mocked(api.rooms).mockResolvedValue([room({ id: 'dd'.repeat(32), name: 'Bob', private: true, direct: true })])
    await useRoomsStore().load()
    vi.mocked(api.rooms).mockClear()
    emit({ name: 'profile', data: { peerId: 'peer-b', shortId: 'b', name: 'Robert' } })
    await nextBatch()
    expect(api.rooms).toHaveBeenCalledTimes(1)
  })
})
