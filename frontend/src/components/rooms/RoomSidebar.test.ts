import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { room } from '@/test/fixtures'
import RoomSidebar from './RoomSidebar.vue'

describe('RoomSidebar: adding a room', () => {
  it('has no standing input boxes, only a "+" menu with both ways in', async () => {
    const wrapper = mount(RoomSidebar, { props: { rooms: [], currentId: null }, attachTo: document.body })
    expect(wrapper.find('input').exists()).toBe(false)
    const button = wrapper.get('[aria-haspopup="menu"]')
    expect(button.attributes('aria-label')).toBe('Add a room')
    await button.trigger('click')
    expect(wrapper.findAll('[role="menuitem"]').map((i) => i.text())).toEqual(['New room…', 'Join with a link…'])
    wrapper.unmount()
  })

  for (const [label, event] of [
    ['New room…', 'create'],
    ['Join with a link…', 'join'],
  ] as const) {
    it(`"${label}" asks for its dialog`, async () => {
      const wrapper = mount(RoomSidebar, { props: { rooms: [], currentId: null }, attachTo: document.body })
      await wrapper.get('[aria-haspopup="menu"]').trigger('click')
      const item = wrapper.findAll('[role="menuitem"]').find((i) => i.text() === label)!
      await item.trigger('click')
      expect(wrapper.emitted(event)).toEqual([[]])
      wrapper.unmount()
    })
  }
})

describe('RoomSidebar: notifications', () => {
  it('marks a muted room and a mentions-only room, and leaves the others plain', async () => {
    const { room } = await import('@/test/fixtures')
    const rooms = [room({ id: 'a', name: 'all', notify: 'all' }), room({ id: 'm', name: 'ment', notify: 'mentions' }), room({ id: 'n', name: 'none', notify: 'none' })]
    const items = mount(RoomSidebar, { props: { rooms, currentId: 'a' } }).findAll('[data-testid="room"]')
    expect(items[0]!.find('.notify').exists()).toBe(false)
    expect(items[1]!.get('[data-testid="room-mentions-only"]').attributes('aria-label')).toBe('mentions only')
    expect(items[2]!.get('[data-testid="room-muted"]').attributes('aria-label')).toBe('muted')
  })
})

describe('RoomSidebar: unread', () => {
  it('shows the count of unread messages, and says "unread" to screen readers', async () => {
    const { room } = await import('@/test/fixtures')
    const item = mount(RoomSidebar, { props: { rooms: [room({ name: 'planning', unread: 3 })], currentId: null } }).get('[data-testid="room"]')
    expect(item.get('.badge').text()).toBe('3')
    // Read out as "# planning, 3 unread": the badge's bare number is for the eye.
    expect(item.get('.badge').attributes('aria-hidden')).toBe('true')
    expect(item.get('.visually-hidden').text()).toBe(', 3 unread')
  })

  it('marks a room with unread mentions of you, unless it is muted', async () => {
    const { room } = await import('@/test/fixtures')
    const rooms = [room({ id: 'p', name: 'planning', unread: 5, mentions: 2 }), room({ id: 'q', name: 'quiet', unread: 1, mentions: 1, notify: 'none' })]
    const items = mount(RoomSidebar, { props: { rooms, currentId: null } }).findAll('[data-testid="room"]')
    expect(items[0]!.get('[data-testid="room-mention-badge"]').text()).toBe('@2')
    expect(items[0]!.text()).toContain('2 mentions of you')
    expect(items[1]!.find('[data-testid="room-mention-badge"]').exists()).toBe(false)
  })
})

describe('RoomSidebar: delivery', () => {
  it('marks a room holding messages not delivered yet, in words for a screen reader', () => {
    const rooms = [room({ id: 'a'.repeat(64), name: 'alone', undelivered: 2 }), room({ id: 'b'.repeat(64), name: 'busy' })]
    const wrapper = mount(RoomSidebar, { props: { rooms, currentId: null } })
    const marks = wrapper.findAll('[data-testid="room-undelivered"]')
    expect(marks).toHaveLength(1)
    expect(marks[0]!.attributes('aria-label')).toBe('2 messages not delivered yet')
    expect(wrapper.findAll('[data-testid="room"]')[0]!.text()).toContain('alone')
  })
})

describe('RoomSidebar: private rooms', () => {
  it('marks a private room with a lock where an open room has "#", and says so to screen readers', async () => {
    const { room } = await import('@/test/fixtures')
    const items = mount(RoomSidebar, { props: { rooms: [room({ id: 'o', name: 'open' }), room({ id: 'p', name: 'plans', private: true })], currentId: 'o' } }).findAll(
      '[data-testid="room"]',
    )
    expect(items[0]!.find('[data-testid="lock-icon"]').exists()).toBe(false)
    expect(items[0]!.get('.name').text()).toBe('# open')
    expect(items[1]!.find('[data-testid="lock-icon"]').exists()).toBe(true)
    expect(items[1]!.get('.name').text()).toBe('plans')
    expect(items[1]!.text()).toContain(', private')
  })
})
