import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import type { NearbyPeer } from '@/api'
import NearbyList from './NearbyList.vue'

// 40 characters is the longest display name, 80 the longest room name; a
// peer on another version may still send longer ones.
const longName = 'B'.repeat(40)
const longRoom = 'R'.repeat(80)
const huge = 'W'.repeat(200)

const peer = (name: string, room: string): NearbyPeer => ({
  peerId: '12D3KooWLongPeer',
  shortId: 'beef1234',
  name,
  connected: true,
  lan: true,
  rooms: [{ id: 'room-1', name: room, joined: false, legacy: false }],
})

describe('NearbyList', () => {
  for (const [what, name, room] of [
    ['the longest allowed names', longName, longRoom],
    ['a 200-character unbroken name', huge, huge],
  ] as const) {
    it(`keeps the short ID and the Join button with ${what}, the full name in a tooltip`, async () => {
      // Two people with the name: the short IDs tell them apart.
      const twin = { ...peer(name, room), peerId: '12D3KooWTwin', shortId: 'cafe5678', rooms: [] }
      const wrapper = mount(NearbyList, { props: { peers: [peer(name, room), twin] } })
      const nameEl = wrapper.get('[data-testid="nearby-name"]')
      expect(nameEl.attributes('title')).toBe(name)
      expect(nameEl.classes()).toContain('name') // the class that ellipsises (checked in the browser suite)
      expect(wrapper.get('[data-testid="nearby-short-id"]').text()).toBe('beef1234')
      // The name and the short ID are separate elements: only the name gives way.
      expect(nameEl.element.contains(wrapper.get('[data-testid="nearby-short-id"]').element)).toBe(false)
      expect(wrapper.get('[data-testid="nearby-room"]').attributes('title')).toBe(room)
      const join = wrapper.get('.rooms button')
      expect(join.text()).toBe('Join')
      await join.trigger('click')
      expect(wrapper.emitted('join')).toEqual([['room-1', room]])
    })
  }
})

describe('NearbyList: names, not fingerprints', () => {
  const p = (peerId: string, shortId: string, name: string): NearbyPeer => ({ peerId, shortId, name, connected: true, lan: true, rooms: [] })

  it('shows names alone when they differ, "Someone" for no name', () => {
    const wrapper = mount(NearbyList, { props: { peers: [p('a', 'a0000001', 'Ada'), p('b', 'b0000001', 'Bob'), p('c', 'c0000001', '')] } })
    expect(wrapper.findAll('[data-testid="nearby-name"]').map((n) => n.text())).toEqual(['Ada', 'Bob', 'Someone'])
    expect(wrapper.find('[data-testid="nearby-short-id"]').exists()).toBe(false)
  })

  it('shows the short ID beside a name two people share, and only there', () => {
    const wrapper = mount(NearbyList, { props: { peers: [p('a', 'a0000001', 'Ada'), p('b', 'b0000001', 'Bob'), p('c', 'c0000001', 'ada')] } })
    const shown = wrapper.findAll('[data-testid="nearby-peer"]').map((li) => li.findAll('[data-testid="nearby-short-id"]').map((f) => f.text()).join())
    expect(shown).toEqual(['a0000001', '', 'c0000001'])
  })
})

describe('NearbyList: presence in words', () => {
  it('says who is connected for screen readers, the dot itself is not read', () => {
    const ada: NearbyPeer = { peerId: 'p', shortId: 's', name: 'Ada', connected: true, lan: true, rooms: [] }
    const wrapper = mount(NearbyList, { props: { peers: [ada, { ...ada, peerId: 'q', name: 'Bob', connected: false }] } })
    const [first, second] = wrapper.findAll('[data-testid="nearby-peer"]')
    expect(first!.get('.presence-dot').attributes('aria-hidden')).toBe('true')
    expect(first!.get('.visually-hidden').text()).toBe('connected:')
    expect(second!.get('.visually-hidden').text()).toBe('not connected:')
  })
})

describe('NearbyList: rooms made visible on this network', () => {
  const bob: NearbyPeer = {
    peerId: 'p-bob',
    shortId: 'b0b12345',
    name: 'Bob',
    connected: true,
    lan: true,
    rooms: [
      { id: 'r-lunch', name: 'lunch', joined: false, legacy: false },
      { id: 'r-team', name: 'team', joined: true, legacy: false },
    ],
  }

  it('says the rooms listed are those people on this network made visible', () => {
    const wrapper = mount(NearbyList, { props: { peers: [bob] } })
    expect(wrapper.get('[data-testid="nearby-hint"]').text()).toBe('Rooms people on this network made visible:')
    expect(wrapper.find('[data-testid="nearby-empty"]').exists()).toBe(false)
  })

  it('shows exactly the rooms the node sent, a Join button on those not joined yet', async () => {
    const wrapper = mount(NearbyList, { props: { peers: [bob, { ...bob, peerId: 'p-eve', shortId: 'e5e12345', name: 'Eve', rooms: [] }] } })
    expect(wrapper.findAll('[data-testid="nearby-room"]').map((r) => r.text())).toEqual(['# lunch', '# team'])
    const [first, second] = wrapper.findAll('[data-testid="nearby-peer"]')
    expect(first!.findAll('.rooms button').map((b) => b.attributes('aria-label'))).toEqual(['Join lunch'])
    expect(first!.text()).toContain('joined')
    expect(second!.find('[data-testid="nearby-room"]').exists()).toBe(false)
    await first!.get('.rooms button').trigger('click')
    expect(wrapper.emitted('join')).toEqual([['r-lunch', 'lunch']])
  })

  it('says so when nobody is found', () => {
    const wrapper = mount(NearbyList, { props: { peers: [] } })
    expect(wrapper.get('[data-testid="nearby-empty"]').text()).toBe('Nobody found on this network yet.')
    expect(wrapper.find('[data-testid="nearby-hint"]').exists()).toBe(false)
  })

  it('shows a room name with markup as text', () => {
    const wrapper = mount(NearbyList, { props: { peers: [{ ...bob, name: '<b>Bob</b>', rooms: [{ id: 'x', name: '<img src=x onerror=alert(1)>', joined: false, legacy: false }] }] } })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('b').exists()).toBe(false)
    expect(wrapper.get('[data-testid="nearby-room"]').text()).toBe('# <img src=x onerror=alert(1)>')
  })
})

describe('NearbyList: messaging someone', () => {
  it('offers "Message" on every person, named for screen readers, and asks for their conversation', async () => {
    const eve: NearbyPeer = { peerId: 'p-eve', shortId: 'e5e12345', name: 'Eve', connected: false, lan: true, rooms: [] }
    const wrapper = mount(NearbyList, { props: { peers: [eve, { ...eve, peerId: 'p-anon', name: '' }] } })
    const buttons = wrapper.findAll('[data-testid="nearby-message"]')
    expect(buttons.map((b) => b.attributes('aria-label'))).toEqual(['Message Eve', 'Message Someone'])
    await buttons[0]!.trigger('click')
    expect(wrapper.emitted('message')).toEqual([['p-eve']])
    // The ID goes to the node, never on the screen.
    expect(wrapper.text()).not.toContain('p-eve')
  })
})
