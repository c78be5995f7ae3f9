import { afterEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import type { Helper, Peer, WSSStatus } from '@/api'
import { me, room, roomId, status } from '@/test/fixtures'
import ConnectionDetails from './ConnectionDetails.vue'

// The dialog is attached to the page, which the other test files of this
// environment share: none may stay open after its test, passed or failed.
enableAutoUnmount(afterEach)

function open(over = {}) {
  return mount(ConnectionDetails, {
    props: { me, status: status(), peers: [], room: room(), connect: async () => {}, setProxy: async () => status().proxy, ...over },
    attachTo: document.body,
  })
}

describe('ConnectionDetails', () => {
  it('is a dialog with the peer ID, the addresses and the room ID', () => {
    const wrapper = open()
    expect(wrapper.get('[role="dialog"]').attributes('aria-labelledby')).toBeTruthy()
    expect(wrapper.get('[data-testid="my-peer-id"]').text()).toBe(me.peerId)
    expect(wrapper.text()).toContain(me.addrs[0])
    expect(wrapper.get('[data-testid="room-id"]').text()).toBe(roomId)
    wrapper.unmount()
  })

  it('says which Parley is running, as text that can be selected', () => {
    const wrapper = open({ status: status({ version: '0.0.0+110.gbe9f173' }) })
    expect(wrapper.get('[data-testid="details-version"]').text()).toBe('Parley 0.0.0+110.gbe9f173')
    wrapper.unmount()
    const starting = open({ status: null })
    expect(starting.find('[data-testid="details-version"]').exists()).toBe(false)
    starting.unmount()
  })

  it('names members whose messages were dropped for coming too fast, and nobody when none were', () => {
    const flooder = { peerId: '12D3KooWFlood', shortId: 'Flood1', name: 'Mallory', room: roomId, dropped: 5000 }
    const wrapper = open({ status: status({ throttled: [flooder], throttledTotal: 5000 }) })
    expect(wrapper.get('[data-testid="throttled"]').text()).toContain('Mallory')
    expect(wrapper.get('[data-testid="throttled"]').text()).toContain('messages were dropped')
    wrapper.unmount()
    const calm = open()
    expect(calm.find('[data-testid="throttled"]').exists()).toBe(false)
    calm.unmount()
  })

  it('names neighbours whose relayed messages were dropped', () => {
    const relay = { peerId: '12D3KooWRelay', shortId: 'Relay1', name: 'Trent', dropped: 900, droppedBytes: 270000 }
    const wrapper = open({ status: status({ throttledPeers: [relay] }) })
    expect(wrapper.get('[data-testid="throttled-peers"]').text()).toContain('Trent')
    expect(wrapper.get('[data-testid="throttled-peers"]').text()).toContain('relayed were dropped')
    wrapper.unmount()
    const calm = open()
    expect(calm.find('[data-testid="throttled-peers"]').exists()).toBe(false)
    calm.unmount()
  })

  it('says why each connected peer is there, in plain words', () => {
    const peer = (name: string, why: Peer['why'], via: Peer['via'] = 'direct'): Peer => ({ peerId: `12D3KooW${name}`, shortId: name.slice(0, 8), name, lan: via === 'lan', via, transport: 'quic', why })
    const peers = [
      peer('Bob', 'member', 'lan'),
      peer('Carol', 'nearby', 'lan'),
      peer('Helper', 'helper'),
      peer('Dan', 'kept'),
      peer('Erin', 'relay', 'relayed'),
      peer('Frank', 'dht'),
    ]
    const wrapper = open({ peers })
    const rows = wrapper.findAll('[data-testid="connected-peer"]')
    expect(rows.map((r) => r.get('[data-testid="peer-why"]').text())).toEqual([
      'In a room with you',
      'Found on your network',
      'Helper',
      'Remembered from before',
      'Setting up a direct connection',
      'Helps find rooms',
    ])
    // How each is connected stays beside it, unless the reason already says it.
    expect(rows[0]!.text()).toContain('On your network')
    expect(rows[1]!.text()).not.toContain('On your network')
    expect(rows[4]!.text()).toContain('Through a relay')
    expect(rows[0]!.get('code').text()).toBe('Bob')
    expect(rows[0]!.get('[data-testid="peer-why"]').attributes('title')).toBe('A member of a room you are in.')
    wrapper.unmount()
  })

  it('lists the helpers with the rooms whose links named them, and whether each is connected', () => {
    const helper = (shortId: string, roomNames: string[], connected: boolean): Helper => ({
      peerId: `12D3KooW${shortId}`,
      shortId,
      name: '',
      rooms: roomNames.map((_, i) => `${i}`.repeat(64)),
      roomNames,
      connected,
    })
    const helpers = [helper('Help1', ['design', 'ops'], true), helper('Help2', [], false)]
    const peers: Peer[] = [{ peerId: '12D3KooWHelp1', shortId: 'Help1', name: '', lan: false, via: 'direct', transport: 'quic', why: 'helper' }]
    const wrapper = open({ helpers, peers })
    const rows = wrapper.findAll('[data-testid="helper"]')
    expect(rows.map((r) => r.get('[data-testid="helper-from"]').text())).toEqual(['Helper · from #design, #ops', 'Helper · given at start'])
    expect(rows[0]!.text()).toContain('Connected')
    expect(rows[1]!.text()).toContain('Not connected')
    expect(rows[0]!.get('code').attributes('title')).toBe('12D3KooWHelp1')
    // Among the connected peers, the helper says where it came from too.
    expect(wrapper.get('[data-testid="connected-peer"] [data-testid="peer-why"]').text()).toBe('Helper · from #design, #ops')
    wrapper.unmount()
    const none = open()
    expect(none.find('[data-testid="helpers"]').exists()).toBe(false)
    none.unmount()
  })

  it('leaves out a reason it does not know', () => {
    const odd = { peerId: '12D3KooWOdd', shortId: 'Odd1', name: 'Odd', lan: false, via: 'direct', why: 'future' } as unknown as Peer
    const wrapper = open({ peers: [odd] })
    expect(wrapper.get('[data-testid="connected-peer"]').find('[data-testid="peer-why"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="connected-peer"]').text()).toContain('Direct')
    wrapper.unmount()
  })

  it('leaves the room out when no room is open', () => {
    const wrapper = open({ room: null })
    expect(wrapper.find('[data-testid="room-id"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('copies the peer ID, an address and the room ID', async () => {
    const wrapper = open()
    await wrapper.get('button:not([aria-label="Close"])').trigger('click')
    await wrapper.findAll('button').find((b) => b.text() === 'Copy my address')!.trigger('click')
    await wrapper.get('[data-testid="room-id"] + button').trigger('click')
    expect(wrapper.emitted('copy')).toEqual([[me.peerId], [me.addrs[0]], [roomId]])
    expect(wrapper.text()).toContain('Room ID copied')
    wrapper.unmount()
  })

  it('connects to an address typed by hand, and not to an empty one', async () => {
    const connect = vi.fn().mockResolvedValue(undefined)
    const wrapper = open({ connect })
    const input = wrapper.get('[data-testid="peer-addr"]')
    await input.setValue('  ')
    await wrapper.get('form.connect').trigger('submit')
    await input.setValue(' /ip4/127.0.0.1/tcp/4001/p2p/12D3KooWPeer ')
    await wrapper.get('form.connect').trigger('submit')
    await flushPromises()
    expect(connect.mock.calls).toEqual([['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWPeer']])
    expect((input.element as HTMLInputElement).value).toBe('')
    wrapper.unmount()
  })

  it('describes the network in words', () => {
    const wrapper = open({ status: status({ network: 'internet', reachability: 'private', natType: 'cone' }) })
    expect(wrapper.text()).toContain('Your local network and the internet')
    expect(wrapper.text()).toContain('Behind a router')
    wrapper.unmount()
  })

  it('shows why an address was refused under the field, and keeps what was typed', async () => {
    const connect = vi.fn().mockRejectedValue(new Error('That address has no peer ID: copy it whole from Connection details on the other computer.'))
    const wrapper = open({ connect })
    const input = wrapper.get('[data-testid="peer-addr"]')
    await input.setValue('192.168.1.20')
    await input.trigger('submit')
    await flushPromises()
    expect(connect).toHaveBeenCalledWith('192.168.1.20')
    expect((input.element as HTMLInputElement).value).toBe('192.168.1.20')
    const error = wrapper.get('[data-testid="field-error"]')
    expect(error.text()).toContain('That address has no peer ID')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe(error.attributes('id'))
    // Typing again takes the old sentence away.
    await input.setValue('192.168.1.2')
    expect(wrapper.find('[data-testid="field-error"]').exists()).toBe(false)
  })

  it('empties the field and says so when the address connects', async () => {
    const connect = vi.fn().mockResolvedValue(undefined)
    const wrapper = open({ connect })
    const input = wrapper.get('[data-testid="peer-addr"]')
    await input.setValue('/ip4/127.0.0.1/tcp/4001/p2p/' + me.peerId)
    await input.trigger('submit')
    await flushPromises()
    expect((input.element as HTMLInputElement).value).toBe('')
    expect(wrapper.get('[data-testid="connected-to"]').text()).toBe('Connected.')
    expect(wrapper.find('[data-testid="field-error"]').exists()).toBe(false)
  })

  it('has the proxy setting, as the node has it, once the status is known', () => {
    const wrapper = open({ status: status({ proxy: { mode: 'manual', url: 'http://127.0.0.1:3128', credentials: true } }) })
    const proxy = wrapper.get('[data-testid="proxy-settings"]')
    expect((proxy.get('[data-testid="proxy-manual"]').element as HTMLInputElement).checked).toBe(true)
    expect((proxy.get('[data-testid="proxy-url"]').element as HTMLInputElement).value).toBe('http://127.0.0.1:3128')
    expect(proxy.get('[data-testid="proxy-credentials"]').text()).toContain('user name and password are saved')
    wrapper.unmount()
    const starting = open({ status: null })
    expect(starting.find('[data-testid="proxy-settings"]').exists()).toBe(false)
    starting.unmount()
  })
})

describe('ConnectionDetails on a helper with secure WebSocket', () => {
  const wss = (over: Partial<WSSStatus> = {}): WSSStatus => ({
    addrs: ['/ip4/203.0.113.7/tcp/443/tls/sni/*.libp2p.direct/ws/p2p/12D3KooWHelper'],
    cert: 'autotls',
    names: ['*.k51qzi5uqu5dh.libp2p.direct'],
    expiresAt: Date.UTC(2026, 5, 30, 12),
    error: '',
    ...over,
  })

  it('shows the addresses, where the certificate comes from, its names and its end in the local way', () => {
    const w = wss()
    const wrapper = open({ status: status({ helper: true, wss: w }) })
    const part = wrapper.get('[data-testid="wss"]')
    expect(part.get('h3').text()).toBe('Secure WebSocket')
    expect(part.get('[data-testid="wss-addrs"]').text()).toBe(w.addrs[0])
    expect(part.get('[data-testid="wss-cert"]').text()).toBe('Automatic (libp2p.direct)')
    expect(part.get('[data-testid="wss-names"]').text()).toBe(w.names[0])
    expect(part.get('[data-testid="wss-ends"]').text()).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(w.expiresAt))
    expect(part.find('[data-testid="wss-error"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('names certificate files, and says when there is no certificate yet', () => {
    const wrapper = open({ status: status({ helper: true, wss: wss({ cert: 'file', expiresAt: 0, names: [] }) }) })
    expect(wrapper.get('[data-testid="wss-cert"]').text()).toBe('Certificate files')
    expect(wrapper.get('[data-testid="wss-ends"]').text()).toBe('No certificate yet')
    wrapper.unmount()
  })

  it('puts what needs the admin first, where it cannot be missed', () => {
    const error = 'The certificate ends in 5 days and could not be renewed: check that port 443 is reachable.'
    const wrapper = open({ status: status({ helper: true, wss: wss({ error }) }) })
    const part = wrapper.get('[data-testid="wss"]')
    const shown = part.get('[data-testid="wss-error"]')
    expect(shown.text()).toBe(error)
    // Right under the heading, before the details.
    expect(part.element.children[1]).toBe(shown.element)
    wrapper.unmount()
  })

  it('is not there on a node without a secure WebSocket listener', () => {
    const wrapper = open({ status: status({ helper: true, wss: null }) })
    expect(wrapper.find('[data-testid="wss"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('Secure WebSocket')
    wrapper.unmount()
  })
})
