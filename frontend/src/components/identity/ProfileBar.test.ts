import { beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { me } from '@/test/fixtures'
import ProfileBar from './ProfileBar.vue'

describe('ProfileBar', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('shows the name, never the peer ID or an address, until opened', () => {
    const wrapper = mount(ProfileBar, { props: { me } })
    expect(wrapper.text()).toContain('Ada')
    expect(wrapper.text()).not.toContain(me.peerId)
    expect(wrapper.text()).not.toContain('/ip4/')
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
  })

  it('opens a "You" dialog: name, theme, and the way to connection details', async () => {
    const wrapper = mount(ProfileBar, { props: { me }, attachTo: document.body })
    await wrapper.get('[data-testid="you-menu"]').trigger('click')
    const dialog = wrapper.get('[role="dialog"]')
    expect(dialog.find('[data-testid="theme-switch"]').exists()).toBe(true)
    await wrapper.get('[data-testid="name"]').setValue('Ada L.')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('rename')).toEqual([['Ada L.']])
    await wrapper.get('[data-testid="open-details"]').trigger('click')
    expect(wrapper.emitted('details')).toHaveLength(1)
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false) // one dialog at a time
    wrapper.unmount()
  })

  it('opens About from the panel, once the panel is gone and the focus is back on "You"', async () => {
    const wrapper = mount(ProfileBar, { props: { me }, attachTo: document.body })
    const you = wrapper.get('[data-testid="you-menu"]')
    ;(you.element as HTMLElement).focus() // as a click does
    await you.trigger('click')
    await wrapper.get('[data-testid="open-about"]').trigger('click')
    expect(wrapper.emitted('about')).toHaveLength(1)
    expect(wrapper.emitted('details')).toBeUndefined()
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(document.activeElement).toBe(you.element) // where the About dialog hands it back
    wrapper.unmount()
  })

  it('does not save an unchanged or empty name', async () => {
    const wrapper = mount(ProfileBar, { props: { me }, attachTo: document.body })
    await wrapper.get('[data-testid="you-menu"]').trigger('click')
    await wrapper.get('form').trigger('submit')
    await wrapper.get('[data-testid="name"]').setValue('  ')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('rename')).toBeUndefined()
    wrapper.unmount()
  })
})
