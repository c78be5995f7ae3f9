import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import type { Via } from '@/api'
import { member, room } from '@/test/fixtures'
import MemberList from './MemberList.vue'

describe('MemberList', () => {
  it('says nothing of how anyone is connected: that is for the profile card', () => {
    const vias: Via[] = ['local', 'lan', 'direct', 'holepunched', 'relayed', '']
    const members = vias.map((via, i) => ({ ...member(`P${i}`, via !== ''), via }))
    const text = mount(MemberList, { props: { members } }).text()
    expect(text).not.toMatch(/network|computer|direct|relay|router/i)
    expect(text).toContain('P5')
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
    expect(a!.get('button').text()).toMatch(/^Ada\s*, online$/) // the name and presence, no fingerprint
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

describe('MemberList: names, not fingerprints', () => {
  it('shows no fingerprint beside distinct names, and "Someone" for a member with no name', () => {
    const nobody = { ...member('', true), peerId: 'peer-nobody', shortId: 'n0b0dy11' }
    const wrapper = mount(MemberList, { props: { members: [member('Ada', true), member('Bob', true), nobody] } })
    expect(wrapper.findAll('[data-testid="fingerprint"]')).toHaveLength(0)
    expect(wrapper.text()).not.toContain('n0b0dy11')
    expect(wrapper.text()).toContain('Someone')
  })

  it('shows the fingerprint beside a name two members share, and only there', () => {
    const bob = { ...member('Bob', true), shortId: 'b0b11111' }
    const otherBob = { ...member('BOB', false), peerId: 'peer-bob2', shortId: 'b0b22222' }
    const wrapper = mount(MemberList, { props: { members: [bob, otherBob, member('Carol', true)] } })
    const shown = wrapper.findAll('[data-testid="member"]').map((m) => [m.get('.name').text(), m.findAll('[data-testid="fingerprint"]').map((f) => f.text()).join()])
    expect(shown).toEqual([
      ['Bob', 'b0b11111'],
      ['Carol', ''],
      ['BOB', 'b0b22222'],
    ])
  })

  it('counts in the reader\'s numbers', () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ ...member(`P${i}`, i < 1100), peerId: `peer-${i}` }))
    const f = new Intl.NumberFormat()
    expect(mount(MemberList, { props: { members: many } }).get('[data-testid="members-online"]').text()).toBe(
      `${f.format(1100)} of ${f.format(1200)} online`,
    )
  })
})

describe('MemberList: a private room', () => {
  const self = { ...member('Ada', true), peerId: 'peer-me', me: true }
  const withRoles = (myRole: 'owner' | 'moderator' | 'member') => [
    { ...self, role: myRole },
    { ...member('Bob', true), role: myRole === 'owner' ? ('moderator' as const) : ('owner' as const) },
    { ...member('Cy', true), role: 'member' as const },
  ]
  function list(myRole: 'owner' | 'moderator' | 'member', over = {}) {
    return mount(MemberList, {
      props: { members: withRoles(myRole), room: room({ private: true, myRole, ...over }) },
      attachTo: document.body,
    })
  }
  const row = (w: ReturnType<typeof list>, name: string) => w.findAll('[data-testid="member"]').find((r) => r.get('.name').text().startsWith(name))!

  it('shows the owner and moderators by a word beside the name, and no badge for a plain member', () => {
    const w = list('member')
    expect(row(w, 'Bob').get('[data-testid="member-role"]').text()).toBe('Owner')
    expect(row(w, 'Cy').find('[data-testid="member-role"]').exists()).toBe(false)
    expect(row(w, 'Bob').get('button.who').text()).toMatch(/^Bob\s*,\s*Owner\s*, online$/) // read out with the name
    w.unmount()
  })

  it('shows no roles in an open room, and its menus offer only Message and Block', async () => {
    const w = mount(MemberList, { props: { members: withRoles('owner'), room: room() }, attachTo: document.body })
    expect(w.find('[data-testid="member-role"]').exists()).toBe(false)
    await row(w, 'Cy').get('[data-testid="member-menu"] button').trigger('click')
    expect(row(w, 'Cy').findAll('[role="menuitem"]').map((i) => i.text())).toEqual(['Message', 'Block Cy…'])
    w.unmount()
  })

  it('gives the owner a menu on everyone else, opened by the keyboard, that asks for the action picked', async () => {
    const w = list('owner')
    expect(row(w, 'Ada').find('[data-testid="member-menu"]').exists()).toBe(false) // not on yourself
    const trigger = row(w, 'Cy').get('[data-testid="member-menu"] button')
    expect(trigger.attributes('aria-label')).toBe('Actions for Cy')
    await trigger.trigger('keydown', { key: 'ArrowDown' })
    const items = row(w, 'Cy').findAll('[role="menuitem"]')
    expect(items.map((i) => i.text())).toEqual(['Message', 'Make moderator', 'Make owner…', 'Remove from room…', 'Block Cy…'])
    expect(document.activeElement).toBe(items[0]!.element)
    await row(w, 'Cy').get('[role="menu"]').trigger('keydown', { key: 'End' })
    await row(w, 'Cy').get('[role="menu"]').trigger('keydown', { key: 'ArrowUp' })
    await row(w, 'Cy').get('[role="menu"]').trigger('keydown', { key: 'Enter' })
    expect(w.emitted('act')).toEqual([[withRoles('owner')[2], 'remove']])
    await row(w, 'Bob').get('[data-testid="member-menu"] button').trigger('click')
    expect(row(w, 'Bob').findAll('[role="menuitem"]').map((i) => i.text())).toEqual(['Message', 'Make member', 'Make owner…', 'Remove from room…', 'Block Bob…'])
    w.unmount()
  })

  /** The items of a member's menu, opened. */
  async function menuOf(w: ReturnType<typeof list>, name: string): Promise<string[]> {
    await row(w, name).get('[data-testid="member-menu"] button').trigger('click')
    return row(w, name).findAll('[role="menuitem"]').map((i) => i.text())
  }

  it('gives a moderator "Remove from room" on plain members only, and a member no role actions at all', async () => {
    const mod = list('moderator')
    expect(await menuOf(mod, 'Bob')).toEqual(['Message', 'Block Bob…']) // the owner
    expect(await menuOf(mod, 'Cy')).toEqual(['Message', 'Remove from room…', 'Block Cy…'])
    mod.unmount()
    const plain = list('member')
    expect(await menuOf(plain, 'Bob')).toEqual(['Message', 'Block Bob…'])
    plain.unmount()
  })

  it('offers the owner and moderators "Invite people…", and tells a member who can invite', async () => {
    const owner = list('owner')
    await owner.get('[data-testid="member-list-invite"]').trigger('click')
    expect(owner.emitted('invite')).toHaveLength(1)
    owner.unmount()
    const plain = list('member')
    expect(plain.find('[data-testid="member-list-invite"]').exists()).toBe(false)
    expect(plain.get('[data-testid="member-invite"]').text()).toBe('Only the owner and moderators can invite people to this room.')
    plain.unmount()
  })

  it('offers no role actions and no invite while waiting to be let in, or once removed', async () => {
    for (const over of [{ pending: true, myRole: '' as const }, { removed: true, myRole: '' as const }]) {
      const w = mount(MemberList, { props: { members: withRoles('owner'), room: room({ private: true, ...over }) }, attachTo: document.body })
      expect(await menuOf(w, 'Cy')).toEqual(['Message', 'Block Cy…'])
      expect(w.find('[data-testid="member-invite"]').exists()).toBe(false)
      w.unmount()
    }
  })

  it("shows the node's sentence when an action failed, until dismissed", async () => {
    const sentence = 'Your role in this room does not allow that; ask the owner or a moderator.'
    const w = mount(MemberList, { props: { members: withRoles('moderator'), room: room({ private: true, myRole: 'moderator' }), error: sentence } })
    expect(w.get('[role="alert"]').text()).toBe(sentence)
    await w.get('button[aria-label="Dismiss"]').trigger('click')
    expect(w.emitted('dismissError')).toHaveLength(1)
  })

  it('shows no peer ID, only names and badges', () => {
    const w = list('owner')
    expect(w.text()).not.toContain('peer-')
    w.unmount()
  })

  it('offers Unblock, with no question, on someone blocked, and marks them in the list', async () => {
    const w = mount(MemberList, { props: { members: withRoles('member'), room: room(), blocked: new Set(['peer-Cy']) }, attachTo: document.body })
    expect(row(w, 'Cy').get('[data-testid="member-blocked"]').text()).toBe('Blocked')
    expect(row(w, 'Bob').find('[data-testid="member-blocked"]').exists()).toBe(false)
    expect(await menuOf(w, 'Cy')).toEqual(['Message', 'Unblock Cy'])
    await row(w, 'Cy').findAll('[role="menuitem"]')[1]!.trigger('click')
    expect(w.emitted('act')).toEqual([[withRoles('member')[2], 'unblock']])
    w.unmount()
  })
})

describe('MemberList: a direct conversation', () => {
  const self = { ...member('Ada', true), me: true, role: 'owner' as const }
  const bob = { ...member('Bob', true), role: 'owner' as const }

  it('shows no roles and no invitations, though both own it, and no Message on the person you are talking to', async () => {
    const w = mount(MemberList, { props: { members: [self, bob], room: room({ private: true, direct: true, myRole: 'owner' }) }, attachTo: document.body })
    expect(w.find('[data-testid="member-role"]').exists()).toBe(false)
    expect(w.find('[data-testid="member-invite"]').exists()).toBe(false)
    const bobRow = w.findAll('[data-testid="member"]').find((r) => r.text().includes('Bob'))!
    await bobRow.get('[data-testid="member-menu"] button').trigger('click')
    expect(bobRow.findAll('[role="menuitem"]').map((i) => i.text())).toEqual(['Block Bob…'])
    w.unmount()
  })
})
