import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { member } from '@/test/fixtures'
import ProfileCard from './ProfileCard.vue'

describe('ProfileCard', () => {
  it('shows name, short ID and how the member is connected, in words', () => {
    const bob = { ...member('Bob', true), shortId: 'b0b12345', via: 'relayed' as const }
    const wrapper = mount(ProfileCard, { props: { member: bob }, attachTo: document.body })
    expect(wrapper.get('[role="dialog"]').text()).toContain('Bob')
    expect(wrapper.get('[data-testid="profile-short-id"]').text()).toBe('b0b12345')
    expect(wrapper.get('[data-testid="profile-via"]').text()).toContain('Through a relay')
    expect(wrapper.get('[data-testid="profile-presence"]').text()).toBe('online')
    wrapper.unmount()
  })

  it('says when the member is not connected', () => {
    const carol = { ...member('Carol', false), lastSeen: Date.now() - 3600_000 }
    const wrapper = mount(ProfileCard, { props: { member: carol }, attachTo: document.body })
    expect(wrapper.get('[data-testid="profile-via"]').text()).toBe('Not connected right now.')
    expect(wrapper.get('[data-testid="profile-presence"]').text()).toBe('last seen 1 h ago')
    wrapper.unmount()
  })

  it('copies the full peer ID and says so', async () => {
    const bob = member('Bob', true)
    const wrapper = mount(ProfileCard, { props: { member: bob }, attachTo: document.body })
    await wrapper.get('[data-testid="copy-peer-id"]').trigger('click')
    expect(wrapper.emitted('copy')).toEqual([[bob.peerId]])
    expect(wrapper.text()).toContain('Peer ID copied')
    wrapper.unmount()
  })

  it('closes with Escape (the dialog’s cancel) and with its close button', async () => {
    const wrapper = mount(ProfileCard, { props: { member: member('Bob', true) }, attachTo: document.body })
    await wrapper.get('dialog').trigger('cancel')
    await wrapper.get('button[aria-label="Close"]').trigger('click')
    expect(wrapper.emitted('close')).toHaveLength(2)
    wrapper.unmount()
  })

  it('offers "Message" on someone else, never on yourself', async () => {
    const bob = member('Bob', true)
    const wrapper = mount(ProfileCard, { props: { member: bob }, attachTo: document.body })
    await wrapper.get('[data-testid="profile-message"]').trigger('click')
    expect(wrapper.emitted('message')).toEqual([[bob.peerId]])
    wrapper.unmount()
    const self = mount(ProfileCard, { props: { member: { ...bob, me: true } }, attachTo: document.body })
    expect(self.find('[data-testid="profile-message"]').exists()).toBe(false)
    self.unmount()
  })
})
