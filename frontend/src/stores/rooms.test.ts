import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: {
    rooms: vi.fn(),
    markRead: vi.fn(),
    joinRoom: vi.fn(),
    renameRoom: vi.fn(),
    setTopic: vi.fn(),
    setNotify: vi.fn(),
    setRoomNearby: vi.fn(),
    createRoom: vi.fn(),
    createPrivateRoom: vi.fn(),
    directMessage: vi.fn(),
    leaveRoom: vi.fn(),
    deleteRoomHistory: vi.fn(),
  },
}))

import { api } from '@/api'
import { useRoomsStore } from './rooms'

const room = (id: string, unread: number) => ({ id, name: id, topic: '', notify: 'all' as const, unread, mentions: 0, undelivered: 0, lastRead: '', lastActivity: 0, nearby: false, legacy: false, private: false, direct: false, myRole: '' as const, pending: false, removed: false, request: false })

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

describe('rooms store: room settings', () => {
  beforeEach(() => setActivePinia(createPinia()))

  async function loaded() {
    vi.mocked(api.rooms).mockResolvedValue([room('a', 0), room('b', 0)])
    const rooms = useRoomsStore()
    await rooms.load()
    return rooms
  }

  it('shows a new name, topic and notify level as soon as the node confirms them', async () => {
    const rooms = await loaded()
    vi.mocked(api.renameRoom).mockResolvedValue({ ...room('a', 0), name: 'Planning' })
    await rooms.rename('a', 'Planning')
    expect(api.renameRoom).toHaveBeenCalledWith('a', 'Planning')
    expect(rooms.current?.name).toBe('Planning')

    vi.mocked(api.setTopic).mockResolvedValue({ ...room('a', 0), name: 'Planning', topic: 'Spring release' })
    await rooms.setTopic('a', 'Spring release')
    expect(rooms.current?.topic).toBe('Spring release')

    vi.mocked(api.setNotify).mockResolvedValue({ ...room('a', 0), name: 'Planning', topic: 'Spring release', notify: 'none' })
    await rooms.setNotify('a', 'none')
    expect(api.setNotify).toHaveBeenCalledWith('a', 'none')
    expect(rooms.current).toMatchObject({ name: 'Planning', topic: 'Spring release', notify: 'none' })
  })

  it('creates an invite-only room and opens it', async () => {
    const rooms = await loaded()
    vi.mocked(api.createRoom).mockResolvedValue(room('new', 0))
    vi.mocked(api.rooms).mockResolvedValue([room('a', 0), room('b', 0), room('new', 0)])
    expect((await rooms.create('new')).id).toBe('new')
    expect(api.createRoom).toHaveBeenCalledWith('new')
    expect(rooms.currentId).toBe('new')
  })

  it('creates a private room and opens it', async () => {
    const rooms = await loaded()
    vi.mocked(api.createPrivateRoom).mockResolvedValue({ ...room('p', 0), private: true, myRole: 'owner' })
    vi.mocked(api.rooms).mockResolvedValue([room('a', 0), room('b', 0), { ...room('p', 0), private: true, myRole: 'owner' }])
    await rooms.create('p', true)
    expect(api.createPrivateRoom).toHaveBeenCalledWith('p')
    expect(api.createRoom).not.toHaveBeenCalledWith('p')
    expect(rooms.current).toMatchObject({ id: 'p', private: true, myRole: 'owner' })
  })

  it('shows a room as visible on this network once the node confirms it, and as before when it refuses', async () => {
    const rooms = await loaded()
    vi.mocked(api.setRoomNearby).mockResolvedValueOnce({ ...room('a', 0), nearby: true })
    await rooms.setNearby('a', true)
    expect(api.setRoomNearby).toHaveBeenCalledWith('a', true)
    expect(rooms.current?.nearby).toBe(true)
    vi.mocked(api.setRoomNearby).mockRejectedValueOnce(new Error('Parley is shutting down'))
    await expect(rooms.setNearby('a', false)).rejects.toThrow('shutting down')
    expect(rooms.current?.nearby).toBe(true)
  })

  it('keeps the old name when the node refuses a rename', async () => {
    const rooms = await loaded()
    vi.mocked(api.renameRoom).mockRejectedValue(new Error('That name is empty or too long'))
    await expect(rooms.rename('a', '')).rejects.toThrow('too long')
    expect(rooms.current?.name).toBe('a')
  })

  for (const [how, deleteHistory, called, notCalled] of [
    ['keeping its history', false, 'leaveRoom', 'deleteRoomHistory'],
    ['deleting its history', true, 'deleteRoomHistory', 'leaveRoom'],
  ] as const) {
    it(`leaves the open room ${how} and opens the next`, async () => {
      vi.mocked(api.leaveRoom).mockReset().mockResolvedValue()
      vi.mocked(api.deleteRoomHistory).mockReset().mockResolvedValue()
      const rooms = await loaded()
      vi.mocked(api.rooms).mockResolvedValue([room('b', 0)])
      await rooms.leave('a', deleteHistory)
      expect(api[called]).toHaveBeenCalledWith('a')
      expect(api[notCalled]).not.toHaveBeenCalled()
      expect(rooms.rooms.map((r) => r.id)).toEqual(['b'])
      expect(rooms.currentId).toBe('b')
    })
  }
})

describe('rooms store: direct conversations', () => {
  beforeEach(() => setActivePinia(createPinia()))
  const direct = (id: string, over = {}) => ({ ...room(id, 0), private: true, direct: true, myRole: 'owner' as const, ...over })

  it('opens the conversation with a person, started by the node if there is none', async () => {
    vi.mocked(api.directMessage).mockResolvedValue(direct('bob'))
    vi.mocked(api.rooms).mockResolvedValue([room('a', 0), direct('bob')])
    const rooms = useRoomsStore()
    await rooms.openDirect('peer-bob')
    expect(api.directMessage).toHaveBeenCalledWith('peer-bob')
    expect(rooms.current?.id).toBe('bob')
  })

  it('puts direct conversations after the rooms, as the sidebar does, and opens a room first', async () => {
    vi.mocked(api.rooms).mockResolvedValue([direct('ada'), room('b', 0), direct('cy'), room('d', 0)])
    const rooms = useRoomsStore()
    await rooms.load()
    expect(rooms.ordered.map((r) => r.id)).toEqual(['b', 'd', 'ada', 'cy'])
    expect(rooms.currentId).toBe('b')
  })

  it('leaves a request out of the unread count: it does not call for attention until answered', async () => {
    vi.mocked(api.rooms).mockResolvedValue([room('a', 2), direct('cy', { request: true, unread: 5 }), direct('bob', { unread: 1 })])
    const rooms = useRoomsStore()
    await rooms.load()
    expect(rooms.totalUnread).toBe(3)
  })
})

