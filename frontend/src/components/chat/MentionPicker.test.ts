import { beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { member } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { members: vi.fn() },
}))

import { api } from '@/api'
import { useMembersStore } from '@/stores/members'
import MentionPicker from './MentionPicker.vue'

const options = [
  { ...member('Bob', true), shortId: 'b0b11111' },
  { ...member('Bea', false), shortId: 'bea11111' },
]

beforeEach(() => setActivePinia(createPinia()))

describe('MentionPicker', () => {
  it('lists the members as options, the active one selected, with ids for the composer', () => {
    const wrapper = mount(MentionPicker, { props: { id: 'm', options, active: 1 } })
    expect(wrapper.get('ul').attributes('role')).toBe('listbox')
    const items = wrapper.findAll('[role="option"]')
    expect(items.map((o) => o.find('.name').text())).toEqual(['Bob', 'Bea'])
    expect(items.map((o) => o.attributes('aria-selected'))).toEqual(['false', 'true'])
    expect(items.map((o) => o.attributes('id'))).toEqual(['m-0', 'm-1'])
  })

  it('reports a pick and the option under the pointer', async () => {
    const wrapper = mount(MentionPicker, { props: { id: 'm', options, active: 0 } })
    const second = wrapper.findAll('[role="option"]')[1]!
    await second.trigger('mouseenter')
    await second.trigger('click')
    expect(wrapper.emitted('hover')).toEqual([[1]])
    expect(wrapper.emitted('pick')).toEqual([[options[1]]])
  })
})

describe('MentionPicker: names, not fingerprints', () => {
  const fingerprints = (w: ReturnType<typeof mount>) => w.findAll('[role="option"]').map((o) => o.findAll('[data-testid="fingerprint"]').map((f) => f.text()).join())

  it('lists names alone when they differ', () => {
    const wrapper = mount(MentionPicker, { props: { id: 'm', options, active: 0 } })
    expect(wrapper.findAll('[data-testid="fingerprint"]')).toHaveLength(0)
    expect(wrapper.text()).not.toContain(options[0]!.shortId)
  })

  it('shows the fingerprint beside a name someone else in the room goes by too, you included', async () => {
    const bob2 = { ...member('bob', false), peerId: 'peer-bob2', shortId: 'b0b22222' }
    const me = { ...member('Bea', true), peerId: 'peer-me', shortId: 'me000001', me: true }
    vi.mocked(api.members).mockResolvedValue([options[0]!, options[1]!, bob2, me])
    await useMembersStore().load('room')
    // The composer lists others only: Bea's name is also yours.
    const wrapper = mount(MentionPicker, { props: { id: 'm', options: [options[0]!, bob2, options[1]!, member('Carol', true)], active: 0 } })
    expect(fingerprints(wrapper)).toEqual(['b0b11111', 'b0b22222', 'bea11111', ''])
  })
})
