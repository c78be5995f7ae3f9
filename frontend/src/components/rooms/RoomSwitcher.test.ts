import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import RoomSwitcher from './RoomSwitcher.vue'

const room = (id: string, name: string) => ({ id, name, unread: 0, lastRead: '', lastActivity: 0 })
const rooms = [room('1', 'general'), room('2', 'games'), room('3', 'random')]

describe('RoomSwitcher', () => {
  it('filters by name and picks with the keyboard', async () => {
    const wrapper = mount(RoomSwitcher, { props: { rooms } })
    const input = wrapper.get('[data-testid="switcher-input"]')
    await input.setValue('ga')
    expect(wrapper.findAll('[role="option"]').map((o) => o.text())).toEqual(['# games'])
    await input.setValue('r')
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('pick')).toEqual([['3']])
  })

  it('closes on Escape', async () => {
    const wrapper = mount(RoomSwitcher, { props: { rooms } })
    await wrapper.get('[data-testid="switcher-input"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.emitted('close')).toHaveLength(1)
  })
})
