import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { message, roomId } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { history: vi.fn(), send: vi.fn() },
}))

import { api } from '@/api'
import { useMessagesStore } from './messages'

describe('messages store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps messages in (time, id) order and each once', async () => {
    const [a, b, c] = [message('a'), message('b'), message('c')]
    vi.mocked(api.history).mockResolvedValue([a, c])
    const store = useMessagesStore()
    await store.loadLatest(roomId)
    store.add(b) // arrives late but sorts between a and c
    store.add(c) // a duplicate from gossip
    expect(store.byRoom[roomId]!.map((m) => m.text)).toEqual(['a', 'b', 'c'])
  })

  it('ignores messages for rooms that are not open', () => {
    const store = useMessagesStore()
    store.add(message('elsewhere'))
    expect(store.byRoom[roomId]).toBeUndefined()
  })

  it('shows a sent message once, even when its event also arrives', async () => {
    vi.mocked(api.history).mockResolvedValue([])
    const sent = message('hello', 'me', true)
    vi.mocked(api.send).mockResolvedValue(sent)
    const store = useMessagesStore()
    await store.loadLatest(roomId)
    await store.send(roomId, 'hello')
    store.add(sent)
    expect(store.byRoom[roomId]).toHaveLength(1)
  })

  it('puts a new name on loaded messages', async () => {
    const m = message('hi', 'peer-b')
    vi.mocked(api.history).mockResolvedValue([m])
    const store = useMessagesStore()
    await store.loadLatest(roomId)
    store.rename('peer-b', 'Robert')
    expect(store.byRoom[roomId]![0]!.authorName).toBe('Robert')
  })
})
