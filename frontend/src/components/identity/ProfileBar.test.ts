import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { me } from '@/test/fixtures'
import ProfileBar from './ProfileBar.vue'

describe('ProfileBar', () => {
  let rename = vi.fn()
  beforeEach(() => {
    setActivePinia(createPinia())
    rename = vi.fn().mockResolvedValue(undefined)
  })

  it('shows the name, never the peer ID or an address, until opened', () => {
    const wrapper = mount(ProfileBar, { props: { me, rename: vi.fn() } })
    expect(wrapper.text()).toContain('Ada')
    expect(wrapper.text()).not.toContain(me.peerId)
    expect(wrapper.text()).not.toContain('/ip4/')
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
  })

  it('opens a "You" dialog: name, theme, and the way to connection details', async () => {
    const wrapper = mount(ProfileBar, { props: { me, rename }, attachTo: document.body })
    await wrapper.get('[data-testid="you-menu"]').trigger('click')
    const dialog = wrapper.get('[role="dialog"]')
    expect(dialog.find('[data-testid="theme-switch"]').exists()).toBe(true)
    await wrapper.get('[data-testid="name"]').setValue('Ada L.')
    await wrapper.get('form').trigger('submit')
    expect(rename).toHaveBeenCalledWith('Ada L.')
    await wrapper.get('[data-testid="open-details"]').trigger('click')
    expect(wrapper.emitted('details')).toHaveLength(1)
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false) // one dialog at a time
    wrapper.unmount()
  })

  it('opens About from the panel, once the panel is gone and the focus is back on "You"', async () => {
    const wrapper = mount(ProfileBar, { props: { me, rename }, attachTo: document.body })
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

  it('opens Blocked people from the panel, in its place', async () => {
    const wrapper = mount(ProfileBar, { props: { me, rename }, attachTo: document.body })
    await wrapper.get('[data-testid="you-menu"]').trigger('click')
    await wrapper.get('[data-testid="open-blocked"]').trigger('click')
    expect(wrapper.emitted('blocked')).toHaveLength(1)
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('opens Storage from the panel, in its place', async () => {
    const wrapper = mount(ProfileBar, { props: { me, rename }, attachTo: document.body })
    await wrapper.get('[data-testid="you-menu"]').trigger('click')
    expect(wrapper.get('[data-testid="open-storage"]').text()).toBe('Storage…')
    await wrapper.get('[data-testid="open-storage"]').trigger('click')
    expect(wrapper.emitted('storage')).toHaveLength(1)
    expect(wrapper.emitted('blocked')).toBeUndefined()
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('does not save an unchanged or empty name', async () => {
    const wrapper = mount(ProfileBar, { props: { me, rename }, attachTo: document.body })
    await wrapper.get('[data-testid="you-menu"]').trigger('click')
    await wrapper.get('form').trigger('submit')
    await wrapper.get('[data-testid="name"]').setValue('  ')
    await wrapper.get('form').trigger('submit')
    expect(rename).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('shows a refused name under the field, keeps it, and drops the sentence once it is changed', async () => {
    rename.mockRejectedValue(new Error('That name is too long; use at most 64 characters.'))
    const wrapper = mount(ProfileBar, { props: { me, rename }, attachTo: document.body })
    await wrapper.get('[data-testid="you-menu"]').trigger('click')
    const input = wrapper.get('[data-testid="name"]')
    await input.setValue('x'.repeat(70))
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error"]').text()).toContain('too long')
    expect((input.element as HTMLInputElement).value).toBe('x'.repeat(70))
    expect(input.attributes('aria-invalid')).toBe('true')
    await input.setValue('Ada')
    expect(wrapper.find('[data-testid="field-error"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
