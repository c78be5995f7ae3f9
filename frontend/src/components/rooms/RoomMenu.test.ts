import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { room } from '@/test/fixtures'
import RoomMenu from './RoomMenu.vue'

function menu(over = {}) {
  return mount(RoomMenu, { props: { room: room(over) }, attachTo: document.body })
}

describe('RoomMenu', () => {
  it('opens from the keyboard on the first item and moves with the arrows', async () => {
    const wrapper = menu()
    const trigger = wrapper.get('[data-testid="room-menu"]')
    expect(trigger.attributes('aria-haspopup')).toBe('menu')
    await trigger.trigger('keydown', { key: 'ArrowDown' })
    expect(trigger.attributes('aria-expanded')).toBe('true')
    const items = wrapper.findAll('[role^="menuitem"]')
    expect(document.activeElement).toBe(items[0]!.element)
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement).toBe(items[1]!.element)
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'End' })
    expect(document.activeElement).toBe(items[items.length - 1]!.element)
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement).toBe(items[0]!.element) // wraps around
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[role="menu"]').exists()).toBe(false)
    expect(document.activeElement).toBe(trigger.element) // back where it was
    wrapper.unmount()
  })

  for (const [testid, event] of [
    ['menu-rename', 'rename'],
    ['menu-topic', 'topic'],
    ['menu-access', 'access'],
    ['menu-leave', 'leave'],
    ['jump-start', 'start'],
  ] as const) {
    it(`${testid} asks to ${event}, by click or Enter, and closes`, async () => {
      const wrapper = menu()
      await wrapper.get('[data-testid="room-menu"]').trigger('click')
      await wrapper.get(`[data-testid="${testid}"]`).trigger('keydown', { key: 'Enter' })
      expect(wrapper.emitted(event)).toHaveLength(1)
      expect(wrapper.find('[role="menu"]').exists()).toBe(false)
      await wrapper.get('[data-testid="room-menu"]').trigger('click')
      await wrapper.get(`[data-testid="${testid}"]`).trigger('click')
      expect(wrapper.emitted(event)).toHaveLength(2)
      wrapper.unmount()
    })
  }

  it('shows the notify level checked and asks for another', async () => {
    const wrapper = menu({ notify: 'mentions' })
    await wrapper.get('[data-testid="room-menu"]').trigger('click')
    expect(wrapper.get('[data-testid="notify-mentions"]').attributes('aria-checked')).toBe('true')
    expect(wrapper.get('[data-testid="notify-all"]').attributes('aria-checked')).toBe('false')
    await wrapper.get('[data-testid="notify-none"]').trigger('click')
    expect(wrapper.emitted('notify')).toEqual([['none']])
    wrapper.unmount()
  })

  it('offers to add a topic when there is none, to edit it when there is', async () => {
    const none = menu()
    await none.get('[data-testid="room-menu"]').trigger('click')
    expect(none.get('[data-testid="menu-topic"]').text()).toBe('Add a topic…')
    none.unmount()
    const some = menu({ topic: 'Plans' })
    await some.get('[data-testid="room-menu"]').trigger('click')
    expect(some.get('[data-testid="menu-topic"]').text()).toBe('Edit topic…')
    some.unmount()
  })

  const labels = async (over: object) => {
    const wrapper = menu(over)
    await wrapper.get('[data-testid="room-menu"]').trigger('click')
    const items = wrapper.findAll('[role="menuitem"]').map((i) => i.attributes('data-testid'))
    wrapper.unmount()
    return items
  }

  it('in a private room, offers its owner and moderators to rename, set the topic and invite, never "Who can join"', async () => {
    for (const myRole of ['owner', 'moderator']) {
      const items = await labels({ private: true, myRole })
      expect(items.slice(0, 3)).toEqual(['menu-rename', 'menu-topic', 'menu-invite'])
      expect(items).not.toContain('menu-access')
    }
  })

  it('in a private room, offers a plain member none of those, but still leaving', async () => {
    const items = await labels({ private: true, myRole: 'member' })
    expect(items).not.toContain('menu-rename')
    expect(items).not.toContain('menu-topic')
    expect(items).not.toContain('menu-invite')
    expect(items).not.toContain('menu-access')
    expect(items).toContain('menu-leave')
  })

  it('"Invite people…" asks for the invite dialog', async () => {
    const wrapper = menu({ private: true, myRole: 'owner' })
    await wrapper.get('[data-testid="room-menu"]').trigger('click')
    await wrapper.get('[data-testid="menu-invite"]').trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('invite')).toHaveLength(1)
    wrapper.unmount()
  })
})
