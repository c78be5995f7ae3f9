import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { room } from '@/test/fixtures'
import RoomStanding from './RoomStanding.vue'

const banner = (over = {}) => mount(RoomStanding, { props: { room: room({ private: true, ...over }) } })

describe('RoomStanding', () => {
  it('says calmly that the user waits to be let in, with nothing to press', () => {
    const w = banner({ pending: true })
    expect(w.get('[role="status"]').text()).toContain('Waiting for a member to let you in…')
    expect(w.find('button').exists()).toBe(false)
  })

  it('says why a join was turned away, and how to try a new link', async () => {
    const w = banner({ pending: true, refused: 'expired' })
    expect(w.text()).toContain('This invite link has expired; ask for a new one.')
    expect(w.text()).not.toContain('Waiting')
    await w.get('[data-testid="standing-leave"]').trigger('click')
    expect(w.emitted('leave')).toHaveLength(1)
  })

  it('says the user was removed, and that the history stays readable', () => {
    const w = banner({ removed: true })
    expect(w.text()).toContain('You were removed from this room.')
    expect(w.text()).toContain('stays readable')
  })

  it('shows nothing in a room the user is in, or in an open room', () => {
    expect(banner({ myRole: 'member' }).find('[data-testid="room-standing"]').exists()).toBe(false)
    expect(mount(RoomStanding, { props: { room: room() } }).find('[data-testid="room-standing"]').exists()).toBe(false)
  })
})
