import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { Room } from '@/api'
import { me, message, roomId } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { history: vi.fn(), historyAfter: vi.fn(), send: vi.fn() },
}))

import { api } from '@/api'
import { pageSize, useMessagesStore } from './messages'

const room = (over: Partial<Room> = {}): Room => ({ id: roomId, name: 'r', unread: 0, lastRead: '', lastActivity: 0, ...over })

describe('messages store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.history).mockReset()
    vi.mocked(api.historyAfter).mockReset()
    vi.mocked(api.send).mockReset()
  })

  it('keeps messages in (time, id) order and each once', async () => {
    const [a, b, c] = [message('a'), message('b'), message('c')]
    vi.mocked(api.history).mockResolvedValue([a, c])
    const store = useMessagesStore()
    await store.open(room())
    store.add(b) // arrives late but sorts between a and c
    store.add(c) // a duplicate from gossip
    expect(store.views[roomId]!.items.map((m) => m.text)).toEqual(['a', 'b', 'c'])
  })

  it('opens at the last-read message with the divider before the first unread', async () => {
    const [read, u1, u2] = [message('read'), message('u1'), message('u2')]
    vi.mocked(api.historyAfter).mockResolvedValue([u1, u2])
    vi.mocked(api.history).mockResolvedValue([read])
    const store = useMessagesStore()
    await store.open(room({ unread: 2, lastRead: read.id }))
    expect(api.historyAfter).toHaveBeenCalledWith(roomId, read.id, pageSize)
    expect(api.history).toHaveBeenCalledWith(roomId, u1.id, pageSize)
    const v = store.views[roomId]!
    expect(v.items.map((m) => m.text)).toEqual(['read', 'u1', 'u2'])
    expect(v.firstUnreadId).toBe(u1.id)
  })

  it('pages older messages in front', async () => {
    const older = Array.from({ length: pageSize }, (_, i) => message(`old ${i}`))
    const latest = Array.from({ length: pageSize }, (_, i) => message(`new ${i}`))
    vi.mocked(api.history).mockResolvedValueOnce(latest).mockResolvedValueOnce(older)
    const store = useMessagesStore()
    await store.open(room())
    expect(store.views[roomId]!.hasOlder).toBe(true)
    expect(await store.loadOlder(roomId)).toBe(pageSize)
    expect(api.history).toHaveBeenLastCalledWith(roomId, latest[0]!.id, pageSize)
    expect(store.views[roomId]!.items[0]!.text).toBe('old 0')
  })

  it('shows a message as sending, then with the state the backend gives', async () => {
    vi.mocked(api.history).mockResolvedValue([])
    const store = useMessagesStore()
    await store.open(room())
    let resolve!: (m: ReturnType<typeof message>) => void
    vi.mocked(api.send).mockReturnValue(new Promise((r) => (resolve = r)))
    const sending = store.send(roomId, 'hello', me)
    expect(store.views[roomId]!.items.map((m) => m.state)).toEqual(['sending'])
    resolve({ ...message('hello', me.peerId, true), state: 'stored' })
    await sending
    const [shown] = store.views[roomId]!.items
    expect(shown!.state).toBe('stored')
    store.delivered(roomId, shown!.id)
    expect(store.views[roomId]!.items[0]!.state).toBe('sent')
  })

  it('keeps a failed message with its reason and sends it again on retry', async () => {
    vi.mocked(api.history).mockResolvedValue([])
    const store = useMessagesStore()
    await store.open(room())
    vi.mocked(api.send).mockRejectedValueOnce('message is too long')
    await store.send(roomId, 'x', me)
    const failed = store.views[roomId]!.items[0]!
    expect(failed.state).toBe('failed')
    expect(failed.error).toBe('message is too long')
    vi.mocked(api.send).mockResolvedValueOnce({ ...message('x', me.peerId, true), state: 'sent' })
    await store.retry(roomId, failed.id, me)
    expect(store.views[roomId]!.items.map((m) => m.state)).toEqual(['sent'])
  })

  it('puts a new name on loaded messages', async () => {
    vi.mocked(api.history).mockResolvedValue([message('hi', 'peer-b')])
    const store = useMessagesStore()
    await store.open(room())
    store.rename('peer-b', 'Robert')
    expect(store.views[roomId]!.items[0]!.authorName).toBe('Robert')
  })
})
