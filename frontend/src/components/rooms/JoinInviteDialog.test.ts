import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { mount, type VueWrapper } from '@vue/test-utils'
import type { InvitePreview } from '@/api'
import JoinInviteDialog from './JoinInviteDialog.vue'

const roomId = 'cc'.repeat(32)
const link = `parley://join/${roomId}?name=design&peer=12D3KooWInviterPeerIdentity`
const preview = (over: Partial<InvitePreview> = {}): InvitePreview => ({ link, roomId, name: 'design', joined: false, ...over })

describe('JoinInviteDialog', () => {
  let wrapper: VueWrapper | undefined
  const show = (props: { preview: InvitePreview; busy?: boolean; error?: string | null }) => {
    wrapper = mount(JoinInviteDialog, { props, attachTo: document.body })
    return wrapper
  }
  /** Text with its no-break spaces (between "#" and the name) as plain ones. */
  const plain = (text: string) => text.replace(/\u00a0/g, ' ')
  const buttons = (w: VueWrapper) => w.findAll('footer button').map((b) => plain(b.text()))
  afterEach(() => wrapper?.unmount())

  it('asks to join the room, says where its history comes from, and shows no link or ID', async () => {
    const w = show({ preview: preview() })
    const dialog = w.get('[role="dialog"]')
    expect(plain(dialog.get('h2').text())).toBe('Join # design?')
    expect(plain(dialog.text())).toContain('You were invited to # design.')
    expect(dialog.text()).toMatch(/members.*online/)
    expect(dialog.text()).not.toContain(link)
    expect(dialog.text()).not.toContain(roomId)
    expect(dialog.text()).not.toContain('12D3KooW')
    expect(buttons(w)).toEqual(['Cancel', 'Join']) // the main action last
    await nextTick() // the dialog moves the focus in after it renders
    expect(document.activeElement).toBe(w.get('[data-testid="join-invite-join"]').element) // Enter joins
    await w.get('[data-testid="join-invite-join"]').trigger('click')
    await w.get('[data-testid="join-invite-cancel"]').trigger('click')
    expect(w.emitted('join')).toHaveLength(1)
    expect(w.emitted('close')).toHaveLength(1)
  })

  it('names no room when the link carries no name', () => {
    const w = show({ preview: preview({ name: '' }) })
    expect(w.get('h2').text()).toBe('Join this room?')
    expect(w.text()).toContain('You were invited to a room.')
    expect(w.text()).not.toContain('#')
  })

  it('while joining: says so, joins only once, and cannot be cancelled half way', async () => {
    const w = show({ preview: preview(), busy: true })
    const join = w.get('[data-testid="join-invite-join"]')
    expect(join.text()).toBe('Joining…')
    expect(join.attributes('aria-busy')).toBe('true')
    await join.trigger('click')
    expect(w.emitted('join')).toBeUndefined()
    expect(w.get('[data-testid="join-invite-cancel"]').attributes('disabled')).toBeDefined()
    expect(w.find('[aria-label="Close"]').exists()).toBe(false)
    await w.get('[role="dialog"]').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('close')).toBeUndefined()
  })

  it('shows why the join failed in one sentence inside the dialog', () => {
    const w = show({ preview: preview(), error: 'Could not join the room: check your network and try again.' })
    expect(w.get('[role="alert"]').text()).toBe('Could not join the room: check your network and try again.')
    expect(w.get('[data-testid="join-invite-join"]').text()).toBe('Join')
  })

  it('for a room already joined: says so and offers only to open it', async () => {
    const w = show({ preview: preview({ joined: true }) })
    expect(plain(w.get('h2').text())).toBe("You're already in # design")
    expect(buttons(w)).toEqual(['Open # design'])
    await nextTick() // the dialog moves the focus in after it renders
    expect(document.activeElement).toBe(w.get('[data-testid="join-invite-open"]').element)
    await w.get('[data-testid="join-invite-open"]').trigger('click')
    expect(w.emitted('open')).toHaveLength(1)
    expect(w.emitted('join')).toBeUndefined()
    await w.get('[role="dialog"]').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('close')).toHaveLength(1)
  })
})
