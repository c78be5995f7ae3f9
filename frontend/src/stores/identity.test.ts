import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { me } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { me: vi.fn(), setName: vi.fn() },
}))

import { api } from '@/api'
import { useIdentityStore } from './identity'

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

  it('takes the new name from the backend and passes its refusal on', async () => {
    const store = useIdentityStore()
    vi.mocked(api.setName).mockResolvedValueOnce({ ...me, name: 'Grace' })
    await store.setName('Grace')
    expect(store.me?.name).toBe('Grace')
    vi.mocked(api.setName).mockRejectedValueOnce('not a valid name')
    await expect(store.setName('')).rejects.toBe('not a valid name')
    expect(store.me?.name).toBe('Grace')
  })
})
