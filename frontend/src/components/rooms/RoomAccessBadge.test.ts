import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { room } from '@/test/fixtures'
import RoomAccessBadge from './RoomAccessBadge.vue'

describe('RoomAccessBadge', () => {
  for (const [what, over, text, detail] of [
    ['an invite-only room', { nearby: false }, 'Invite only', 'Only people with an invite link can join.'],
    ['a room visible on this network', { nearby: true }, 'Visible on this network', 'People on your network see it under Nearby'],
    ['a room made by an older Parley', { legacy: true }, 'Anyone with its ID', 'anyone who has its ID can join'],
    ['an older room that is visible too', { legacy: true, nearby: true }, 'Anyone with its ID', 'anyone who has its ID can join'],
  ] as const) {
    it(`says who can join ${what} in plain words`, () => {
      const badge = mount(RoomAccessBadge, { props: { room: room(over) } }).get('button')
      expect(badge.text()).toBe(text)
      expect(badge.attributes('title')).toContain(detail)
      expect(badge.attributes('aria-label')).toBe(`${text}: change who can join`)
      expect(badge.text()).not.toMatch(/nearby|legacy|true|false/)
    })
  }

  it('opens the setting when pressed', async () => {
    const wrapper = mount(RoomAccessBadge, { props: { room: room() } })
    await wrapper.get('button').trigger('click')
    expect(wrapper.emitted('open')).toHaveLength(1)
  })

  it('says a private room is private, as a label with nothing to change', () => {
    const badge = mount(RoomAccessBadge, { props: { room: room({ private: true }) } })
    expect(badge.find('button').exists()).toBe(false)
    expect(badge.get('[data-testid="room-access"]').text()).toContain('Private')
    expect(badge.get('[data-testid="room-access"]').attributes('title')).toContain('Only its members can read it')
  })

  it('no longer draws a lock for an invite-only open room: the lock is a private room\'s', () => {
    expect(mount(RoomAccessBadge, { props: { room: room() } }).find('rect').exists()).toBe(false)
  })
})
