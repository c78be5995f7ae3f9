import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import type { NearbyPeer } from '@/api'
import GetStarted from './GetStarted.vue'

const carol: NearbyPeer = {
  peerId: 'peer-carol',
  shortId: 'c4r0l123',
  name: 'Carol',
  connected: true,
  lan: true,
  rooms: [
    { id: 'r1', name: 'lunch', joined: false, legacy: false },
    { id: 'r2', name: 'team', joined: true, legacy: false },
  ],
}

describe('GetStarted', () => {
  it('offers to create a room and to join from an invite, with no jargon', () => {
    const wrapper = mount(GetStarted, { props: { nearby: [], join: vi.fn() } })
    expect(wrapper.text()).toContain('Create a room')
    expect(wrapper.text()).toContain('Join from invite')
    expect(wrapper.text()).not.toMatch(/peer ID|multiaddr|\/ip4\//i)
    expect(wrapper.find('[data-testid="start-people"]').exists()).toBe(false) // nobody nearby
  })

  it('creates a room with the name typed', async () => {
    const wrapper = mount(GetStarted, { props: { nearby: [], join: vi.fn() } })
    await wrapper.get('[data-testid="start-create"]').setValue('  Team ')
    await wrapper.findAll('form')[0]!.trigger('submit')
    expect(wrapper.emitted('create')).toEqual([['Team']])
  })

  it('joins with a pasted invite link', async () => {
    const join = vi.fn().mockResolvedValue(undefined)
    const wrapper = mount(GetStarted, { props: { nearby: [], join } })
    await wrapper.get('[data-testid="start-join"]').setValue(' parley://join/abc\n')
    await wrapper.findAll('form')[1]!.trigger('submit')
    await flushPromises()
    expect(join).toHaveBeenCalledWith('parley://join/abc')
    expect(wrapper.get<HTMLInputElement>('[data-testid="start-join"]').element.value).toBe('')
  })

  it('shows why a link did not work under the field, and keeps the link', async () => {
    const join = vi.fn().mockRejectedValue(new Error('That invite link is damaged or incomplete: ask for it again.'))
    const wrapper = mount(GetStarted, { props: { nearby: [], join } })
    const input = wrapper.get<HTMLInputElement>('[data-testid="start-join"]')
    await input.setValue('hello')
    await wrapper.findAll('form')[1]!.trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error"]').text()).toContain('damaged or incomplete')
    expect(input.element.value).toBe('hello')
    expect(input.attributes('aria-invalid')).toBe('true')
  })

  it('shows people on the network with their rooms, one click to join', async () => {
    const wrapper = mount(GetStarted, { props: { nearby: [carol], join: vi.fn() } })
    const people = wrapper.get('[data-testid="start-people"]')
    expect(people.text()).toContain('People on your network')
    expect(people.text()).toContain('Rooms they made visible on this network')
    expect(people.text()).toContain('Carol')
    expect(people.text()).toContain('# lunch')
    expect(people.text()).toContain('joined')
    await people.get('button[aria-label="Join lunch"]').trigger('click')
    expect(wrapper.emitted('joinNearby')).toEqual([['r1', 'lunch']])
  })
})

describe('GetStarted: nobody has made a room visible', () => {
  it('says no room is visible on this network, rather than that there are none', () => {
    const wrapper = mount(GetStarted, { props: { nearby: [{ ...carol, rooms: [] }], join: vi.fn() } })
    expect(wrapper.get('[data-testid="start-person"]').text()).toContain('No rooms visible on this network.')
    expect(wrapper.find('button[aria-label^="Join"]').exists()).toBe(false)
  })
})

describe('GetStarted: names, not fingerprints', () => {
  const person = (peerId: string, shortId: string, name: string): NearbyPeer => ({ ...carol, peerId, shortId, name, rooms: [] })

  it('shows names alone when they differ, "Someone" for no name', () => {
    const wrapper = mount(GetStarted, { props: { nearby: [carol, person('p-dan', 'd4n12345', 'Dan'), person('p-x', 'x0x12345', '')], join: vi.fn() } })
    expect(wrapper.findAll('[data-testid="start-person"] .who .name').map((n) => n.text())).toEqual(['Carol', 'Dan', 'Someone'])
    expect(wrapper.find('[data-testid="fingerprint"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('c4r0l123')
  })

  it('shows the fingerprint beside a name two people share, and only there', () => {
    const wrapper = mount(GetStarted, { props: { nearby: [carol, person('p-dan', 'd4n12345', 'Dan'), person('p-carol2', 'c4r0l222', 'carol')], join: vi.fn() } })
    const shown = wrapper.findAll('[data-testid="start-person"]').map((li) => li.findAll('[data-testid="fingerprint"]').map((f) => f.text()).join())
    expect(shown).toEqual(['c4r0l123', '', 'c4r0l222'])
  })
})
