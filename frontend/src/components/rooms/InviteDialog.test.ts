import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Invitation } from '@/api'

vi.mock('@/api', async (original) => ({
  ...(await original<typeof import('@/api')>()),
  api: { createInvite: vi.fn(), inviteStatus: vi.fn(), invites: vi.fn(), revokeInvite: vi.fn(), copyText: vi.fn(), members: vi.fn(), history: vi.fn(), historyAfter: vi.fn() },
}))

import { api } from '@/api'
import { useMembersStore } from '@/stores/members'
import { member, room, roomId } from '@/test/fixtures'
import InviteDialog from './InviteDialog.vue'

const day = 86_400_000
const link = 'parley://join/CAMSIKqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq'
const invitation = (over: Partial<Invitation> = {}): Invitation => ({ id: 'inv-1', link, expiresAt: Date.now() + 7 * day, uses: 0, used: 0, by: 'peer-me', ...over })

const mounted: VueWrapper[] = []
async function dialog() {
  const wrapper = mount(InviteDialog, { props: { room: room({ name: 'plans', private: true, myRole: 'owner' }) }, attachTo: document.body })
  mounted.push(wrapper)
  await flushPromises()
  return wrapper
}

describe('InviteDialog', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    vi.mocked(api.members).mockResolvedValue([
      { ...member('Ada', true), peerId: 'peer-me', me: true, role: 'owner' },
      { ...member('Bob', true), peerId: 'peer-bob', role: 'moderator' },
    ])
    await useMembersStore().load(roomId)
    vi.mocked(api.invites).mockResolvedValue([])
    vi.mocked(api.history).mockResolvedValue([])
    vi.mocked(api.inviteStatus).mockResolvedValue({ ready: true, why: '' })
  })
  afterEach(() => {
    while (mounted.length) mounted.pop()!.unmount()
  })

  it('says plainly what a link does, and starts at 7 days for any number of people', async () => {
    const w = await dialog()
    expect(w.get('[role="dialog"]').text()).toContain('Invite people to plans')
    expect(w.get('[data-testid="invite-warning"]').text()).toBe('Anyone with this link can join until it expires or is used up.')
    const expiry = w.get<HTMLSelectElement>('[data-testid="invite-expiry"]').element
    const uses = w.get<HTMLSelectElement>('[data-testid="invite-uses"]').element
    expect([...expiry.options].map((o) => [o.text, o.value])).toEqual([
      ['1 hour', '1'],
      ['1 day', '24'],
      ['7 days', '168'],
      ['Never', '0'],
    ])
    expect([...uses.options].map((o) => o.value)).toEqual(['0', '1', '5', '10', '25', '100'])
    expect(expiry.value).toBe('168')
    expect(uses.value).toBe('0')
    expect(document.activeElement).toBe(expiry) // the first choice, from the keyboard
    expect(w.get('[data-testid="invite-none"]').text()).toMatch(/^None/)
  })

  it('creates a link with the chosen expiry and uses, shows it with Copy, and copies it', async () => {
    const w = await dialog()
    await w.get('[data-testid="invite-expiry"]').setValue('24')
    await w.get('[data-testid="invite-uses"]').setValue('5')
    const made = invitation({ expiresAt: Date.now() + day, uses: 5 })
    vi.mocked(api.createInvite).mockResolvedValue(made)
    vi.mocked(api.invites).mockResolvedValue([made])
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.createInvite).toHaveBeenCalledWith(roomId, 24, 5)
    expect(api.history).toHaveBeenCalledWith(roomId, '', expect.any(Number)) // the room's line about it, which has no event
    expect(w.get<HTMLInputElement>('[data-testid="invite-link"]').element.value).toBe(link)
    expect(w.get('[data-testid="invite-created"]').text()).toContain('Expires in 1 day')
    expect(w.get('[data-testid="invite-created"]').text()).toContain('0 of 5 used')
    expect(document.activeElement).toBe(w.get('[data-testid="invite-copy"]').element) // next: copy it
    vi.mocked(api.copyText).mockResolvedValue()
    await w.get('[data-testid="invite-copy"]').trigger('click')
    await flushPromises()
    expect(api.copyText).toHaveBeenCalledWith(link)
    expect(w.get('[data-testid="invite-created"] [role="status"]').text()).toBe('Link copied')
    // The new link is among the open ones, marked new.
    expect(w.findAll('[data-testid="invite-row"]').map((r) => r.attributes('data-new'))).toEqual(['true'])
  })

  it('lists the open links with when each expires, how much it is used and who made it, never a peer ID', async () => {
    vi.mocked(api.invites).mockResolvedValue([
      invitation({ id: 'a', expiresAt: 0, uses: 10, used: 3 }),
      invitation({ id: 'b', by: 'peer-bob', link: '' }),
      invitation({ id: 'c', by: 'peer-gone', expiresAt: Date.now() + 2 * 3_600_000 }),
    ])
    const w = await dialog()
    const rows = w.findAll('[data-testid="invite-row"]')
    expect(rows.map((r) => r.get('.facts').text().replace(/\s+/g, ' '))).toEqual([
      'Never expires · 3 of 10 used · Made by you',
      'Expires in 7 days · Nobody joined yet; no limit · Made by Bob',
      'Expires in 2 hours · Nobody joined yet; no limit · Made by a former member',
    ])
    expect(w.text()).not.toContain('peer-')
    // A link made on another device cannot be copied here, but can be revoked.
    expect(rows[1]!.findAll('button').map((b) => b.text())).toEqual(['Revoke'])
  })

  it('revokes a link and drops it from the list', async () => {
    vi.mocked(api.invites).mockResolvedValueOnce([invitation()])
    const w = await dialog()
    vi.mocked(api.revokeInvite).mockResolvedValue()
    vi.mocked(api.invites).mockResolvedValue([])
    await w.get('[data-testid="invite-revoke"]').trigger('click')
    await flushPromises()
    expect(api.revokeInvite).toHaveBeenCalledWith(roomId, 'inv-1')
    expect(w.find('[data-testid="invite-row"]').exists()).toBe(false)
  })

  it("shows the node's one sentence when it refuses", async () => {
    const w = await dialog()
    const sentence = 'Your role in this room does not allow that; ask the owner or a moderator.'
    vi.mocked(api.createInvite).mockRejectedValue(new Error(sentence))
    await w.get('[data-testid="invite-create"]').trigger('click')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="invite-error"]').text()).toBe(sentence)
    expect(w.find('[data-testid="invite-created"]').exists()).toBe(false)
  })

  it('says while the link waits for a way in from the internet, and when it works on this network only', async () => {
    const w = await dialog()
    vi.mocked(api.inviteStatus).mockResolvedValue({ ready: false, why: 'findingWayIn' })
    let answer: (inv: Invitation) => void = () => {}
    vi.mocked(api.createInvite).mockReturnValue(new Promise((ok) => (answer = ok)))
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="invite-note"]').text()).toBe('Still finding a way in from the internet; the link will work in a moment.')
    expect(w.get('[data-testid="invite-create"]').attributes('disabled')).toBeDefined()
    answer(invitation())
    await flushPromises()
    expect(w.find('[data-testid="invite-note"]').exists()).toBe(false)
    vi.mocked(api.inviteStatus).mockResolvedValue({ ready: false, why: 'noHelpers' })
    vi.mocked(api.createInvite).mockResolvedValue(invitation({ id: 'inv-2' }))
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="invite-note"]').text()).toContain('works on this network only')
  })

  it('Done and Escape close it', async () => {
    const w = await dialog()
    await w.get('[data-testid="invite-done"]').trigger('click')
    await w.get('dialog').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('close')).toHaveLength(2)
  })
})
