import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { room } from '@/test/fixtures'
import RoomAccess from './RoomAccess.vue'

function dialog(over = {}, props = {}) {
  return mount(RoomAccess, { props: { room: room({ name: 'team', ...over }), ...props }, attachTo: document.body })
}

describe('RoomAccess', () => {
  it('starts on the room’s choice, focused, and saves another', async () => {
    const wrapper = dialog({ nearby: true })
    await flushPromises()
    expect(wrapper.get('[role="dialog"]').text().replace(/\u00a0/g, ' ')).toContain('Who can join # team')
    const network = wrapper.get<HTMLInputElement>('[data-testid="who-network"]')
    expect(network.element.checked).toBe(true)
    expect(document.activeElement).toBe(network.element)
    expect(wrapper.get('[data-testid="room-access-save"]').attributes('disabled')).toBeDefined() // nothing changed
    await wrapper.get('[data-testid="who-invite"]').setValue(true)
    expect(wrapper.get('[data-testid="room-access-save"]').attributes('disabled')).toBeUndefined()
    await wrapper.get('[data-testid="who-invite"]').trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('save')).toEqual([[false]])
    wrapper.unmount()
  })

  it('closes without saving when Enter confirms the choice already made', async () => {
    const wrapper = dialog()
    await wrapper.get('[data-testid="who-invite"]').trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('save')).toBeUndefined()
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
  })

  it('says in one sentence that anyone with the ID can join a room made by an older Parley', () => {
    const legacy = dialog({ legacy: true })
    const note = legacy.get('[data-testid="room-access-legacy"]').text()
    expect(note).toBe('This room was made by an older Parley, so anyone who has its ID can join; for private talk, create a new room and invite people to it.')
    expect(legacy.get('fieldset').text()).toContain('anyone who has its ID can still join')
    legacy.unmount()
    const current = dialog()
    expect(current.find('[data-testid="room-access-legacy"]').exists()).toBe(false)
    expect(current.get('fieldset').text()).not.toContain('its ID')
    current.unmount()
  })

  it('shows why the node refused, and waits while it works', () => {
    const wrapper = dialog({}, { busy: true, error: 'Parley is shutting down; try again after it restarts.' })
    expect(wrapper.get('[data-testid="room-access-error"]').text()).toBe('Parley is shutting down; try again after it restarts.')
    expect(wrapper.get('fieldset').attributes('disabled')).toBeDefined()
    wrapper.unmount()
  })
})
