import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', () => ({
  api: { me: vi.fn(), frontendReady: vi.fn(), copyText: vi.fn() },
}))

import { api } from '@/api'
import { useIdentityStore } from '@/stores/identity'
import WelcomeView from './WelcomeView.vue'

const me = { peerId: '12D3KooWExamplePeerIdentity0000000000000000abcd1234', shortId: 'abcd1234' }

describe('WelcomeView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.me).mockReset()
    vi.mocked(api.copyText).mockReset()
  })

  it('shows the identity once loaded and copies the full ID', async () => {
    vi.mocked(api.me).mockResolvedValue(me)
    vi.mocked(api.copyText).mockResolvedValue()
    await useIdentityStore().load()
    const wrapper = mount(WelcomeView)
    expect(wrapper.text()).toContain('abcd1234')
    await wrapper.get('button').trigger('click')
    expect(api.copyText).toHaveBeenCalledWith(me.peerId)
  })

  it('says why the identity could not be loaded', async () => {
    vi.mocked(api.me).mockRejectedValue('parley is not running')
    await useIdentityStore().load()
    const wrapper = mount(WelcomeView)
    expect(wrapper.get('[role="alert"]').text()).toContain('parley is not running')
  })

  it('reports a clipboard failure', async () => {
    vi.mocked(api.me).mockResolvedValue(me)
    vi.mocked(api.copyText).mockRejectedValue(new Error('The clipboard refused the text'))
    await useIdentityStore().load()
    const wrapper = mount(WelcomeView)
    await wrapper.get('button').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toContain('clipboard refused')
  })
})
