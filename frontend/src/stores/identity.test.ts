import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', () => ({
  api: { me: vi.fn(), frontendReady: vi.fn(), copyText: vi.fn() },
}))

import { api } from '@/api'
import { useIdentityStore } from './identity'

const me = { peerId: '12D3KooWExamplePeerIdentity0000000000000000abcd1234', shortId: 'abcd1234' }

describe('identity store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.me).mockReset()
  })

  it('loads the identity from the backend', async () => {
    vi.mocked(api.me).mockResolvedValue(me)
    const store = useIdentityStore()
    await store.load()
    expect(store.me).toEqual(me)
    expect(store.error).toBeNull()
  })

  it('keeps the error text when the backend rejects with a string', async () => {
    vi.mocked(api.me).mockRejectedValue('parley is not running')
    const store = useIdentityStore()
    await store.load()
    expect(store.me).toBeNull()
    expect(store.error).toBe('parley is not running')
  })

  it('clears an earlier error after a successful load', async () => {
    vi.mocked(api.me).mockRejectedValueOnce(new Error('boom')).mockResolvedValueOnce(me)
    const store = useIdentityStore()
    await store.load()
    expect(store.error).toBe('boom')
    await store.load()
    expect(store.error).toBeNull()
    expect(store.me?.shortId).toBe('abcd1234')
  })
})
