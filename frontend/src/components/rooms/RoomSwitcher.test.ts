import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import type { Message } from '@/api'
import { member, message } from '@/test/fixtures'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { search: vi.fn(), members: vi.fn() },
}))

import { api } from '@/api'
import { searchDelayMs } from '@/stores/search'
import RoomSwitcher from './RoomSwitcher.vue'

const room = (id: string, name: string) => ({ id, name, topic: '', notify: 'all' as const, unread: 0, mentions: 0, undelivered: 0, lastRead: '', lastActivity: 0, nearby: false, legacy: false, private: false, direct: false, myRole: '' as const, pending: false, removed: false, request: false })
const rooms = [room('1', 'general'), room('2', 'games'), room('3', 'random')]
const people = [
  { peerId: 'peer-gabriel', name: 'Gabriel', shortId: 'g4b12345', roomId: '2' },
  { peerId: 'peer-ann', name: 'Ann', shortId: 'ann00001', roomId: '1' },
]

function hit(roomId: string, text: string): Message {
  return { ...message(text), room: roomId, highlight: [{ text, match: true }] }
}

const texts = (w: ReturnType<typeof mount>, group: string) =>
  w.findAll(`[data-testid="switcher-${group}"] [role="option"]`).map((o) => o.text())

describe('RoomSwitcher', () => {
  beforeEach(() => {
    vi.mocked(api.search).mockReset()
    vi.mocked(api.search).mockResolvedValue([])
    vi.mocked(api.members).mockReset()
    vi.mocked(api.members).mockResolvedValue([])
  })
  afterEach(() => vi.useRealTimers())

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

  it('lists rooms only until something is typed', () => {
    const wrapper = mount(RoomSwitcher, { props: { rooms, people } })
    expect(wrapper.findAll('[role="group"]')).toHaveLength(1)
    expect(texts(wrapper, 'rooms')).toEqual(['# general', '# games', '# random'])
  })

  it('finds people by name or short ID under their own heading, and picks one with the keyboard', async () => {
    const wrapper = mount(RoomSwitcher, { props: { rooms, people } })
    const input = wrapper.get('[data-testid="switcher-input"]')
    await input.setValue('ga')
    const groups = wrapper.findAll('[role="group"]')
    expect(groups.map((g) => g.get(`#${g.attributes('aria-labelledby')}`).text())).toEqual(['Rooms', 'People'])
    expect(texts(wrapper, 'people')).toEqual(['Gabriel']) // found by name: the name alone
    await input.setValue('ann0')
    expect(texts(wrapper, 'people')).toEqual(['Ann ann00001']) // found by the short ID: it shows what matched
    await input.setValue('ga')
    await input.trigger('keydown', { key: 'ArrowDown' }) // from # games to Gabriel
    await input.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('person')).toEqual([['peer-gabriel', '2']])
    expect(wrapper.emitted('pick')).toBeUndefined()
  })

  it('shows a fingerprint beside a name two people share, and only there', async () => {
    const twins = [
      ...people,
      { peerId: 'peer-gabriel2', name: 'gabriel ', shortId: 'g4b22222', roomId: '1' },
      { peerId: 'peer-nobody', name: '', shortId: 'n0b0dy11', roomId: '1' },
    ]
    const wrapper = mount(RoomSwitcher, { props: { rooms, people: twins } })
    await wrapper.get('[data-testid="switcher-input"]').setValue('a')
    expect(texts(wrapper, 'people')).toEqual(['Gabriel g4b12345', 'Ann', 'gabriel g4b22222'])
  })

  it('shows a large unread count in the reader\'s numbers, "999+" past that', async () => {
    const busy = [room('1', 'general'), { ...room('2', 'games'), unread: 1000 }, { ...room('3', 'random'), unread: 42 }]
    const wrapper = mount(RoomSwitcher, { props: { rooms: busy } })
    expect(texts(wrapper, 'rooms')).toEqual(['# general', '# games 999+', '# random 42'])
  })

  it('asks every room for its members when no people are given', async () => {
    vi.mocked(api.members).mockImplementation(async (id) =>
      id === '2' ? [{ ...member('Me', true), me: true }, member('Gail', true)] : [],
    )
    const wrapper = mount(RoomSwitcher, { props: { rooms } })
    await flushPromises()
    expect(api.members).toHaveBeenCalledTimes(3)
    await wrapper.get('[data-testid="switcher-input"]').setValue('g')
    expect(texts(wrapper, 'people')).toEqual(['Gail'])
    await wrapper.findAll('[data-testid="switcher-people"] [role="option"]')[0]!.trigger('click')
    expect(wrapper.emitted('person')).toEqual([['peer-Gail', '2']])
  })

  it('asks again when the rooms come in after it opened', async () => {
    vi.mocked(api.members).mockResolvedValue([member('Gail', true)])
    const wrapper = mount(RoomSwitcher, { props: { rooms: [] } })
    await flushPromises()
    await wrapper.setProps({ rooms })
    await flushPromises()
    await wrapper.get('[data-testid="switcher-input"]').setValue('gai')
    expect(texts(wrapper, 'people')).toEqual(['Gail'])
  })

  it('finds messages from three characters on, after a pause in typing, and opens one', async () => {
    vi.useFakeTimers()
    const found = [hit('3', 'lunch at noon'), hit('1', 'lunch?')]
    vi.mocked(api.search).mockResolvedValue(found)
    const wrapper = mount(RoomSwitcher, { props: { rooms, people } })
    const input = wrapper.get('[data-testid="switcher-input"]')
    await input.setValue('lu')
    await vi.advanceTimersByTimeAsync(searchDelayMs * 2)
    expect(api.search).not.toHaveBeenCalled()
    await input.setValue('lun')
    expect(wrapper.text()).toContain('Searching messages…')
    await vi.advanceTimersByTimeAsync(searchDelayMs)
    await flushPromises()
    expect(api.search).toHaveBeenCalledWith('lun', '', 5)
    expect(texts(wrapper, 'messages')).toEqual([
      expect.stringMatching(/^Bob:\s*lunch at noon\s*# random · /),
      expect.stringMatching(/^Bob:\s*lunch\?\s*# general · /),
    ])
    expect(wrapper.find('[data-testid="switcher-messages"] mark').text()).toBe('lunch at noon')
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('message')).toEqual([['1', found[1]!.id]])
  })

  it('hides message results that answer an older query', async () => {
    vi.useFakeTimers()
    vi.mocked(api.search).mockResolvedValue([hit('1', 'lunch')])
    const wrapper = mount(RoomSwitcher, { props: { rooms, people } })
    const input = wrapper.get('[data-testid="switcher-input"]')
    await input.setValue('lunch')
    await vi.advanceTimersByTimeAsync(searchDelayMs)
    await flushPromises()
    expect(texts(wrapper, 'messages')).toHaveLength(1)
    await input.setValue('lunchbox')
    expect(wrapper.find('[data-testid="switcher-messages"]').exists()).toBe(false)
  })

  it('says when nothing matches', async () => {
    const wrapper = mount(RoomSwitcher, { props: { rooms, people } })
    await wrapper.get('[data-testid="switcher-input"]').setValue('zz')
    expect(wrapper.find('[role="option"]').exists()).toBe(false)
    expect(wrapper.get('[role="status"]').text()).toBe('No room or person matches.')
  })
})
