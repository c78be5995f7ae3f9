import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { rooms: vi.fn(), markRead: vi.fn(), joinRoom: vi.fn() },
}))

import { api } from '@/api'
import { useRoomsStore } from './rooms'

const room = (id: string, unread: number) => ({ id, name: id, unread, lastRead: '', lastActivity: 0 })

describe('rooms store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('counts unread over all rooms and clears a room once read', async () => {
    vi.mocked(api.rooms).mockResolvedValue([room('a', 3), room('b', 2)])
    vi.mocked(api.markRead).mockResolvedValue()
    const rooms = useRoomsStore()
    await rooms.load()
    expect(rooms.currentId).toBe('a')
    expect(rooms.totalUnread).toBe(5)
    await rooms.markRead('a', 'msg-9')
    expect(api.markRead).toHaveBeenCalledWith('a', 'msg-9')
    expect(rooms.totalUnread).toBe(2)
  })

  it('joins from an invite link with the link’s name and opens the room', async () => {
    const link = 'parley://join/CAESIKqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqGgdnZW5lcmFs'
    vi.mocked(api.joinRoom).mockResolvedValue(room('general', 0))
    vi.mocked(api.rooms).mockResolvedValue([room('a', 0), room('general', 0)])
    const rooms = useRoomsStore()
    await rooms.join(link, '')
    expect(api.joinRoom).toHaveBeenCalledWith(link, '')
    expect(rooms.current?.id).toBe('general')
  })
})
