import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import StatusBar from './StatusBar.vue'

const status = { peerId: 'p', network: 'lan', peers: 2, mdns: true, addrs: [] }
const peer = (via: string) => ({ peerId: via + Math.random(), shortId: 's', name: 'n', lan: via === 'lan', via })

describe('StatusBar', () => {
  it('says how many peers are connected and how', () => {
    const text = mount(StatusBar, { props: { status, peers: [peer('lan'), peer('internet')] } }).text()
    expect(text).toContain('Connected to 2 peers')
    expect(text).toContain('1 via LAN, 1 via internet')
    expect(text).toContain('Network: local network')
    expect(text).toContain('LAN discovery on')
  })

  it('shows history syncs in progress', () => {
    const sync = { room: 'r', peerId: 'p', peerName: 'Bob', received: 3200, total: 10000, sent: 0, done: false }
    const text = mount(StatusBar, { props: { status, peers: [peer('lan')], syncs: [sync] } }).text()
    expect(text).toMatch(/Syncing 3,200 of 10,000 from Bob/)
  })

  it('says plainly when nobody is connected', () => {
    const text = mount(StatusBar, { props: { status: { ...status, network: 'off', mdns: false }, peers: [] } }).text()
    expect(text).toContain('No peers connected')
    expect(text).toContain('explicit peers only')
  })
})
