import { beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { member, room } from '@/test/fixtures'
import RoomHeader from './RoomHeader.vue'

const header = (over = {}) => mount(RoomHeader, { props: { room: room({ name: 'plans', ...over }), members: [member('Ada', true)], membersOpen: false } })

describe('RoomHeader: private rooms', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('marks a private room with a lock, not "#", and says it is private', () => {
    const w = header({ private: true, myRole: 'member' })
    expect(w.get('h1').text()).toBe('plans')
    expect(w.get('h1').find('[data-testid="lock-icon"]').exists()).toBe(true)
    expect(w.get('[data-testid="room-access"]').text()).toContain('Private')
    expect(w.get('[data-testid="room-access"]').element.tagName).toBe('SPAN') // nothing to change
  })

  it('keeps "#" and the copy button for an open room', () => {
    const w = header()
    expect(w.get('h1').text()).toBe('# plans')
    expect(w.find('[data-testid="lock-icon"]').exists()).toBe(false)
    expect(w.find('[data-testid="copy-invite"]').exists()).toBe(true)
    expect(w.find('[data-testid="invite-people"]').exists()).toBe(false)
  })

  it('offers the owner and moderators "Invite people…", which opens the dialog', async () => {
    for (const myRole of ['owner', 'moderator'] as const) {
      const w = header({ private: true, myRole })
      expect(w.find('[data-testid="copy-invite"]').exists()).toBe(false)
      await w.get('[data-testid="invite-people"]').trigger('click')
      expect(w.emitted('invite')).toHaveLength(1)
    }
  })

  it('offers a plain member, a joiner waiting and a removed member no invite at all', () => {
    for (const over of [{ myRole: 'member' }, { pending: true }, { removed: true }]) {
      const w = header({ private: true, ...over })
      expect(w.find('[data-testid="invite-people"]').exists()).toBe(false)
      expect(w.find('[data-testid="copy-invite"]').exists()).toBe(false)
    }
  })
})
