import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import type { Peer, Status, Via } from '@/api'
import { status } from '@/test/fixtures'
import StatusBar from './StatusBar.vue'

let seq = 0
const peer = (via: Via): Peer => ({ peerId: `peer-${++seq}`, shortId: 's', name: 'n', lan: via === 'lan', via, transport: via ? 'quic' : '', why: 'member' })
const relay = '12D3KooWRelayPeerIdentity000000000000000000000000'

describe('StatusBar', () => {
  it('says how many peers are connected and how', () => {
    const peers = [peer('lan'), peer('direct'), peer('holepunched'), peer('relayed'), peer('relayed')]
    const wrapper = mount(StatusBar, { props: { status: status(), peers } })
    expect(wrapper.get('[data-testid="peer-count"]').text()).toBe('Connected to 5 peers')
    expect(wrapper.get('[data-testid="peer-kinds"]').text()).toBe('(1 on your network, 2 direct, 2 through a relay)')
    expect(wrapper.text()).not.toContain('LAN discovery') // network words are for Connection details
  })

  it('counts a peer on this computer as a peer, not as one on your network', () => {
    const wrapper = mount(StatusBar, { props: { status: status(), peers: [peer('local')] } })
    expect(wrapper.get('[data-testid="peer-count"]').text()).toBe('Connected to 1 peer')
    expect(wrapper.get('[data-testid="peer-kinds"]').text()).toBe('(1 on this computer)')
  })

  it('leaves out the kinds of connection nobody uses', () => {
    const wrapper = mount(StatusBar, { props: { status: status(), peers: [peer('lan'), peer('lan')] } })
    expect(wrapper.get('[data-testid="peer-kinds"]').text()).toBe('(2 on your network)')
  })

  it('shows history syncs in progress', () => {
    const sync = { room: 'r', peerId: 'p', peerName: 'Bob', received: 3200, total: 10000, sent: 0, done: false }
    const text = mount(StatusBar, { props: { status: status(), peers: [peer('lan')], syncs: [sync] } }).text()
    expect(text).toMatch(/Syncing 3,200 of 10,000 from Bob/)
  })

  it('says plainly when nobody is connected', () => {
    const wrapper = mount(StatusBar, { props: { status: status({ network: 'lan', mdns: false }), peers: [] } })
    expect(wrapper.text()).toContain('No peers connected')
    expect(wrapper.find('[data-testid="peer-kinds"]').exists()).toBe(false)
  })

  const cases: [string, Partial<Status>, string][] = [
    ['internet, public', { network: 'internet', reachability: 'public' }, 'Reachable directly'],
    ['internet, public, with a relay too', { network: 'internet', reachability: 'public', relays: [relay] }, 'Reachable directly'],
    ['internet, private, with a relay', { network: 'internet', reachability: 'private', relays: [relay] }, 'Reachable through a relay'],
    ['internet, unknown, with a relay', { network: 'internet', reachability: 'unknown', relays: [relay] }, 'Reachable through a relay'],
    ['internet, unknown, no relay yet', { network: 'internet', reachability: 'unknown' }, 'Looking for a way in from the internet…'],
    ['internet, private, no relay', { network: 'internet', reachability: 'private' }, 'Only on this network'],
    ['LAN only', { network: 'lan' }, 'Only on this network'],
    ['LAN only, even if public', { network: 'lan', reachability: 'public' }, 'Only on this network'],
    ['network off', { network: 'off', mdns: false }, 'Offline mode'],
  ]
  for (const [name, over, words] of cases) {
    it(`says how people reach you: ${name}`, () => {
      const wrapper = mount(StatusBar, { props: { status: status(over), peers: [peer('relayed')] } })
      const reach = wrapper.get('[data-testid="reachability"]')
      expect(reach.text()).toBe(words)
      expect(reach.attributes('title')).toMatch(/^[A-Z].*\.$/) // a sentence more on hover
      // Relays are named by peer ID: that never reaches the status bar.
      expect(wrapper.html()).not.toContain(relay)
    })
  }

  it('warns on hover when the router makes direct connections unlikely', () => {
    const s = status({ network: 'internet', reachability: 'private', relays: [relay], natType: 'symmetric' })
    const reach = mount(StatusBar, { props: { status: s, peers: [] } }).get('[data-testid="reachability"]')
    expect(reach.attributes('title')).toContain('router makes direct connections unlikely')
  })

  it('says nothing of reachability before the first status', () => {
    const wrapper = mount(StatusBar, { props: { status: null, peers: [] } })
    expect(wrapper.text()).toContain('Starting…')
    expect(wrapper.find('[data-testid="reachability"]').exists()).toBe(false)
  })
})

describe('StatusBar: the web UI away from its node', () => {
  it('says the node is out of reach, and nothing about peers or reachability', () => {
    const wrapper = mount(StatusBar, { props: { status: status(), peers: [peer('lan')], nodeLost: true } })
    expect(wrapper.get('[data-testid="peer-count"]').text()).toBe('Not connected to your Parley node')
    expect(wrapper.find('[data-testid="reachability"]').exists()).toBe(false)
    expect(wrapper.find('.dot.online').exists()).toBe(false)
  })
})

describe('StatusBar: connection details', () => {
  it('opens the connection details from a button', async () => {
    const wrapper = mount(StatusBar, { props: { status: status(), peers: [] } })
    const button = wrapper.get('[data-testid="connection-details-button"]')
    expect(button.text()).toBe('Connection details')
    await button.trigger('click')
    expect(wrapper.emitted('details')).toHaveLength(1)
  })

  it('says "Offline mode" alone when the network is off, with no words about discovery', () => {
    const text = mount(StatusBar, { props: { status: status({ network: 'off', mdns: false }), peers: [] } }).text()
    expect(text).toContain('Offline mode')
    expect(text).not.toContain('LAN discovery')
    expect(text).not.toContain('Only on this network')
  })
})

describe('StatusBar: a network that lets only web traffic out', () => {
  const words = 'This network only lets web traffic out: connected through your helper over HTTPS'

  it('says so, as information and not as an error', () => {
    const wrapper = mount(StatusBar, { props: { status: status({ network: 'internet', restricted: true, relays: [relay] }), peers: [peer('relayed')] } })
    const notice = wrapper.get('[data-testid="restricted"]')
    expect(notice.text()).toBe(words)
    expect(notice.attributes('role')).toBeUndefined() // the bar is already a status region: no alert
    // The rest of the bar still says how many are connected and how people reach you.
    expect(wrapper.get('[data-testid="peer-count"]').text()).toBe('Connected to 1 peer')
    expect(wrapper.get('[data-testid="reachability"]').text()).toBe('Reachable through a relay')
  })

  it('says nothing of it on an open network, before the first status, or away from the node', () => {
    for (const props of [
      { status: status({ network: 'internet', restricted: false }), peers: [] },
      { status: null, peers: [] },
      { status: status({ network: 'internet', restricted: true }), peers: [], nodeLost: true },
    ]) {
      const wrapper = mount(StatusBar, { props })
      expect(wrapper.find('[data-testid="restricted"]').exists()).toBe(false)
      expect(wrapper.text()).not.toContain('web traffic')
    }
  })
})
