import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { member, room } from '@/test/fixtures'
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

describe('RoomSidebar: direct conversations', () => {
  const bob = { ...member('Bob', true), presence: 'away' as const }
  const rooms = [
    room({ id: 'g', name: 'general' }),
    room({ id: 'd', name: 'Bob', private: true, direct: true, myRole: 'owner' }),
    room({ id: 'q', name: 'Cy', private: true, direct: true, request: true, notify: 'none', unread: 4, mentions: 1, myRole: 'owner' }),
  ]

  it('lists them under "Direct messages", after the rooms, with a person and their presence, no "#" or lock', () => {
    const w = mount(RoomSidebar, { props: { rooms, currentId: 'g', others: { d: bob } } })
    expect(w.get('[data-testid="sidebar-rooms"]').findAll('[data-testid="room"]').map((r) => r.get('.name').text())).toEqual(['# general'])
    const section = w.get('[data-testid="sidebar-direct"]')
    expect(section.get('h2').text()).toBe('Direct messages')
    const [withBob, fromCy] = section.findAll('[data-testid="direct"]')
    expect(withBob!.get('.name').text()).toBe('Bob')
    expect(withBob!.find('[data-testid="lock-icon"]').exists()).toBe(false)
    expect(withBob!.find('[data-testid="person-icon"]').exists()).toBe(true)
    expect(withBob!.get('[data-testid="presence-dot"]').attributes('data-presence')).toBe('away')
    expect(withBob!.text()).toContain(', away') // for screen readers
    expect(fromCy!.find('[data-testid="presence-dot"]').exists()).toBe(false) // not known yet
  })

  it('marks a request with a word, not a count, a mention badge, bold or the muted mark', () => {
    const w = mount(RoomSidebar, { props: { rooms, currentId: 'g' } })
    const request = w.get('[data-testid="direct"][data-request]')
    expect(request.get('[data-testid="direct-request-tag"]').text()).toBe('Request')
    expect(request.classes()).not.toContain('unread')
    expect(request.find('.badge').exists()).toBe(false)
    expect(request.find('[data-testid="room-muted"]').exists()).toBe(false)
    expect(request.text()).not.toContain('unread')
  })

  it('says so when there are none, and asks for a new one from its "+"', async () => {
    const w = mount(RoomSidebar, { props: { rooms: [rooms[0]!], currentId: 'g' } })
    expect(w.get('[data-testid="sidebar-direct"]').text()).toContain('No direct messages yet.')
    const add = w.get('[data-testid="new-direct"]')
    expect(add.attributes('aria-label')).toBe('New direct message')
    await add.trigger('click')
    expect(w.emitted('direct')).toEqual([[]])
  })

  it('shows a name with markup as text', () => {
    const w = mount(RoomSidebar, { props: { rooms: [room({ id: 'x', name: '<img src=x onerror=alert(1)>', private: true, direct: true })], currentId: null } })
    expect(w.find('img').exists()).toBe(false)
    expect(w.get('[data-testid="direct"] .name').text()).toBe('<img src=x onerror=alert(1)>')
  })
})

