import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { status: vi.fn(), peers: vi.fn(), helpers: vi.fn(), setProxy: vi.fn() },
}))

import { api, type Helper, type Status, type SyncProgress } from '@/api'
import { status } from '@/test/fixtures'
import { syncSilenceMs, useStatusStore } from './status'

const progress = (peerId: string, received: number, done = false): SyncProgress => ({
  room: 'r',
  peerId,
  peerName: peerId,
  received,
  total: 100_000,
  sent: 0,
  done,
})

describe('status store: sync lines', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.useRealTimers())

  it('keeps one line per room and peer while sessions interleave, and drops each when done', () => {
    const s = useStatusStore()
    s.syncProgress(progress('a', 10))
    s.syncProgress(progress('b', 20))
    s.syncProgress(progress('a', 30))
    expect(Object.values(s.syncs).map((p) => [p.peerId, p.received])).toEqual([
      ['a', 30],
      ['b', 20],
    ])
    s.syncProgress(progress('a', 100_000, true))
    expect(Object.values(s.syncs).map((p) => p.peerId)).toEqual(['b'])
  })

  it('drops a line that has heard nothing for a while: its end was lost', async () => {
    const s = useStatusStore()
    s.syncProgress(progress('quiet', 10_752))
    s.syncProgress(progress('busy', 1))
    for (let t = 0; t < syncSilenceMs * 1.6; t += 1000) {
      s.syncProgress(progress('busy', t))
      await vi.advanceTimersByTimeAsync(1000)
    }
    expect(Object.values(s.syncs).map((p) => p.peerId)).toEqual(['busy'])
    await vi.advanceTimersByTimeAsync(syncSilenceMs * 2)
    expect(s.syncs).toEqual({})
  })
})

describe('status store: load', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('takes a missing relay list as none: Go sends an empty one as null', async () => {
    const fromGo = { ...status({ network: 'internet' }), relays: null } as unknown as Status
    vi.mocked(api.status).mockResolvedValue(fromGo)
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    const s = useStatusStore()
    await s.load()
    expect(s.status?.relays).toEqual([])
    expect(s.status?.reachability).toBe('unknown')
  })

  it('loads the helpers with the status, a helper given at start with no rooms', async () => {
    vi.mocked(api.status).mockResolvedValue(status())
    vi.mocked(api.peers).mockResolvedValue([])
    const fromGo = [
      { peerId: 'h1', shortId: 'h1', name: '', rooms: ['r1'], roomNames: ['design'], connected: true },
      { peerId: 'h2', shortId: 'h2', name: '', rooms: null, roomNames: null, connected: false },
    ] as unknown as Helper[]
    vi.mocked(api.helpers).mockResolvedValue(fromGo)
    const s = useStatusStore()
    await s.load()
    expect(s.helpers.map((h) => [h.peerId, h.roomNames])).toEqual([
      ['h1', ['design']],
      ['h2', []],
    ])
  })

  it('takes a node from before the proxy setting as using the system proxy, not restricted, no secure WebSocket', async () => {
    const { restricted: _r, proxy: _p, wss: _w, ...old } = status()
    vi.mocked(api.status).mockResolvedValue(old as unknown as Status)
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    const s = useStatusStore()
    await s.load()
    expect(s.status?.restricted).toBe(false)
    expect(s.status?.proxy).toEqual({ mode: 'system', url: '', credentials: false })
    expect(s.status?.wss).toBeNull()
  })
})

describe('status store: setProxy', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('shows the saved setting at once, as the node gives it back (without the password)', async () => {
    vi.mocked(api.status).mockResolvedValue(status())
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    const saved = { mode: 'manual', url: 'http://127.0.0.1:3128', credentials: true } as const
    vi.mocked(api.setProxy).mockResolvedValue(saved)
    const s = useStatusStore()
    await s.load()
    await expect(s.setProxy('manual', 'http://alice:secret@127.0.0.1:3128')).resolves.toEqual(saved)
    expect(api.setProxy).toHaveBeenCalledWith('manual', 'http://alice:secret@127.0.0.1:3128')
    expect(s.status?.proxy).toEqual(saved)
  })

  it('leaves the setting as it was when the node refuses it', async () => {
    vi.mocked(api.status).mockResolvedValue(status())
    vi.mocked(api.peers).mockResolvedValue([])
    vi.mocked(api.helpers).mockResolvedValue([])
    vi.mocked(api.setProxy).mockRejectedValue(new Error('That proxy address will not work.'))
    const s = useStatusStore()
    await s.load()
    await expect(s.setProxy('manual', 'proxy')).rejects.toThrow('will not work')
    expect(s.status?.proxy.mode).toBe('system')
  })
})
