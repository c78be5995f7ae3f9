import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import type { Via } from '@/api'
import { member } from '@/test/fixtures'
import MemberList from './MemberList.vue'

describe('MemberList', () => {
  for (const [via, words] of [
    ['lan', 'On your network'],
    ['direct', 'Direct'],
    ['holepunched', 'Direct (through your router)'],
    ['relayed', 'Through a relay'],
  ] as const) {
    it(`says a member ${via} is connected: ${words}`, () => {
      const wrapper = mount(MemberList, { props: { members: [{ ...member('Bob', true), via }] } })
      const how = wrapper.get('[data-testid="member-via"]')
      expect(how.text()).toBe(words)
      expect(how.attributes('title')).toMatch(/^Connected .*\.$/)
    })
  }

  it('says nothing of the connection of a member who is offline', () => {
    const offline = { ...member('Carol', false), via: '' as Via }
    const wrapper = mount(MemberList, { props: { members: [offline] } })
    expect(wrapper.find('[data-testid="member-via"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="member"]').text()).toContain('Carol')
  })
})

describe('MemberList: presence at a glance', () => {
  const now = Date.now()
  const ada = { ...member('Ada', true), presence: 'online' as const }
  const bob = { ...member('Bob', true), presence: 'away' as const }
  const carol = { ...member('Carol', false), lastSeen: now - 3 * 3600_000 - 60_000 }
  const dan = { ...member('Dan', false), lastSeen: 0 }

  function rows() {
    const wrapper = mount(MemberList, { props: { members: [dan, carol, bob, ada] } })
    return { wrapper, items: wrapper.findAll('[data-testid="member"]') }
  }

  it('lists online first, then away, then offline', () => {
    const { items } = rows()
    expect(items.map((i) => i.attributes('data-presence'))).toEqual(['online', 'away', 'offline', 'offline'])
    expect(items[0]!.text()).toContain('Ada')
  })

  it('gives each state its own dot and words, for the eye and for screen readers', () => {
    const { items } = rows()
    const [a, b, c, d] = items
    expect(a!.get('[data-testid="presence-dot"]').classes()).toContain('online')
    expect(a!.get('button').text()).toMatch(/^Ada\s*Ada\s*, online$/) // name, short ID, presence
    expect(b!.get('[data-testid="presence-dot"]').classes()).toContain('away')
    expect(b!.text()).toContain('away')
    expect(c!.get('[data-testid="presence-dot"]').classes()).toContain('offline')
    expect(c!.text()).toContain('last seen 3 h ago')
    expect(c!.get('[data-testid="member-presence-sr"]').text()).toBe(', last seen 3 h ago')
    expect(d!.text()).toContain('offline')
  })

  it('counts who is online', () => {
    expect(rows().wrapper.get('[data-testid="members-online"]').text()).toBe('2 of 4 online')
  })

  it('opens a profile when a member is clicked', async () => {
    const { wrapper, items } = rows()
    await items[2]!.get('button').trigger('click')
    expect(wrapper.emitted('open')).toEqual([[carol]])
  })

  it('offers a close button only as a panel, and Escape closes it', async () => {
    expect(mount(MemberList, { props: { members: [ada] } }).find('[data-testid="members-close"]').exists()).toBe(false)
    const panel = mount(MemberList, { props: { members: [ada], closable: true } })
    await panel.get('[data-testid="members-close"]').trigger('click')
    await panel.trigger('keydown', { key: 'Escape' })
    expect(panel.emitted('close')).toHaveLength(2)
  })
})
