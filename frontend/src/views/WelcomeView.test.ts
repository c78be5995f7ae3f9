import { beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { me: vi.fn() },
}))

import { api } from '@/api'
import { useIdentityStore } from '@/stores/identity'
import WelcomeView from './WelcomeView.vue'

describe('WelcomeView', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('says it is starting while the identity loads', () => {
    expect(mount(WelcomeView).text()).toContain('Starting')
  })

  it('says why the identity could not be loaded', async () => {
    vi.mocked(api.me).mockRejectedValue('parley is not running')
    await useIdentityStore().load()
    const wrapper = mount(WelcomeView)
    expect(wrapper.get('[role="alert"]').text()).toContain('parley is not running')
  })
})
